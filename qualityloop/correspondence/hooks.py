"""Messages to the complainant at the moments of a complaint's life: the acknowledgement on
registration, the answer, the closure and the rejection."""

from qualityloop.core.effects import after_commit

from . import services, tasks
from .choices import Milestone

FINISHED = {
    "close": Milestone.CLOSURE,
    "close_at_first_contact": Milestone.CLOSURE,
    "reject": Milestone.REJECTION,
}


def registered(complaint, *, actor) -> None:
    if complaint.complainant_email:
        pk = complaint.pk
        after_commit(lambda: tasks.send_acknowledgement.enqueue(pk))


def answered(complaint, *, actor, at, transition) -> None:
    if transition is None:
        services.send_milestone(complaint_id=complaint.pk, milestone=Milestone.ANSWER)


def finished(complaint, *, transition, actor, at) -> None:
    if milestone := FINISHED.get(transition):
        services.send_milestone(complaint_id=complaint.pk, milestone=milestone)


def page_panels(complaint):
    return [("main", 30, "correspondence/_panel.html")]
