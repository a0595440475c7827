"""Deadlines react to a complaint's life: clocks start, stop, pause and move; urgent
complaints alert at once; a complaint open too long becomes a major case."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from qualityloop.complaints.choices import EventKind
from qualityloop.core import clock as wallclock

from . import clocks, escalation, views
from .models import MajorCase


def registered(complaint, *, actor) -> None:
    clocks.on_registered(complaint)
    escalation.on_urgent(complaint, actor=actor)
    escalation.schedule_major_case_check(complaint)


def stage_entered(complaint, *, stage, actor, at) -> None:
    clocks.on_stage_entered(complaint, stage, at=at)


def stage_due(complaint, *, stage):
    if stage not in clocks.STAGE_CLOCKS:
        return None
    running = complaint.clocks.filter(kind=stage, stopped_at__isnull=True).first()
    return running.due_at if running else None


def stage_left(complaint, *, stage, transition, actor, at) -> None:
    clocks.on_stage_left(complaint, stage, at=at)


def replanned(complaint, *, actor) -> None:
    clocks.replan(complaint, at=wallclock.now())
    escalation.on_urgent(complaint, actor=actor)


def acknowledged(complaint, *, at) -> None:
    clocks.on_acknowledged(complaint, at=at)


def answered(complaint, *, actor, at, transition) -> None:
    clocks.on_answered(complaint, at=at)


def reopened(complaint, *, actor, at) -> None:
    clocks.on_reopened(complaint, at=at)


def finished(complaint, *, transition, actor, at) -> None:
    clocks.on_final(complaint, at=at)


def gate_facts(complaint) -> dict:
    unplanned = MajorCase.objects.filter(complaint=complaint, plan_submitted_at__isnull=True)
    return {"major_case_unplanned": unplanned.exists()}


def timeline_entry(event):
    """Missed deadlines, escalations, reminders, holds and major cases on the timeline."""
    data, kind = event.data or {}, event.kind
    title, lines = "", []
    if kind in (EventKind.CLOCK_MISSED, EventKind.ESCALATED):
        title = data.get("clock_label") or data.get("reason_label") or ""
        if data.get("due_at") and (due := parse_datetime(data["due_at"])):
            lines.append((_("Due"), wallclock.local_text(due)))
        if data.get("level_label"):
            lines.append((_("Escalated to"), data["level_label"]))
        if data.get("trigger") == "urgent" and data.get("reason"):
            title = data["reason"]
    elif kind == EventKind.REMINDER:
        title = data.get("title", "")
        lines.append(("", data.get("message", "")))
    elif kind == EventKind.WAITING:
        if data.get("paused") is not None:
            lines.append((_("Deadlines paused"), str(data["paused"])))
    elif kind == EventKind.RESUMED:
        if data.get("waited_minutes") is not None:
            lines.append((_("Waited (minutes)"), str(data["waited_minutes"])))
    elif kind == EventKind.MAJOR_CASE:
        if data.get("measure"):
            title = data["measure"]
            lines.append((_("Owner"), data.get("owner", "")))
            lines.append((_("Due date"), data.get("due_date", "")))
        elif data.get("plan_submitted"):
            title = _("Rectification plan reported to management")
        elif data.get("days_open") is not None:
            title = _("Still open after %(n)d days") % {"n": data["days_open"]}
    else:
        return None
    notified = (EventKind.CLOCK_MISSED, EventKind.ESCALATED, EventKind.REMINDER)
    if kind in notified and data.get("to"):
        lines.append((_("Notified"), "、".join(data["to"])))
    return title, lines, []


def page_panels(complaint):
    return [("side_top", 10, "sla/_clocks.html")]


def page_context(complaint, *, user, forms):
    return views.panel_context(user, complaint, **forms)
