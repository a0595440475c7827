"""The investigation's part in a complaint's life: the root-cause gate and what a signature
binds."""

from qualityloop.complaints.choices import EventKind

from .access import has_root_cause, root_cause_of
from .timeline import describe


def gate_facts(complaint) -> dict:
    return {"has_root_cause": has_root_cause(complaint)}


def signed_content(complaint) -> dict:
    root = root_cause_of(complaint)
    return {"root_cause": root.statement if root else None}


def timeline_entry(event):
    if event.kind in (EventKind.INVESTIGATION, EventKind.ROOT_CAUSE):
        return describe(event.data or {})
    return None


def page_panels(complaint):
    return [("main", 10, "investigation/_panel.html")]
