"""A closed complaint's complainant is asked how satisfied they are."""

from qualityloop.complaints.workflow import Status

from . import services


def finished(complaint, *, transition, actor, at) -> None:
    if complaint.status == Status.CLOSED:
        services.send_survey(complaint_id=complaint.pk)
