"""A complaint closed after its investigation becomes a draft knowledge entry."""

from qualityloop.complaints.choices import EventKind

from . import services


def finished(complaint, *, transition, actor, at) -> None:
    if transition == "close":
        services.create_from_complaint(complaint_id=complaint.pk, actor=actor)


def timeline_entry(event):
    if event.kind != EventKind.KNOWLEDGE:
        return None
    return (event.data or {}).get("title", ""), [], []


def page_panels(complaint):
    return [("side", 30, "knowledge/_panel.html")]
