"""A closed complaint's complainant is asked how satisfied they are."""

from django.utils.translation import gettext as _

from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.workflow import Status

from . import services


def finished(complaint, *, transition, actor, at) -> None:
    if complaint.status == Status.CLOSED:
        services.send_survey(complaint_id=complaint.pk)


def timeline_entry(event):
    """Survey events: the scores and the comment, or to whom it went."""
    if event.kind != EventKind.SURVEY:
        return None
    data, lines = event.data or {}, []
    if data.get("outcome_score") is not None:
        lines.append((_("Outcome"), f"{data['outcome_score']}/5"))
        lines.append((_("Handling"), f"{data.get('handling_score')}/5"))
    if data.get("comment"):
        lines.append(("", data["comment"]))
    if data.get("to"):
        lines.append((_("To"), str(data["to"])))
    return "", lines, []


def page_panels(complaint):
    return [("side", 20, "feedback/_panel.html")]
