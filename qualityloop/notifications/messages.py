"""What a notification says: ``render(event, data, language) -> (title, body)``.

One function for every channel, so the centre, e-mail and chat robots say the same thing: the
centre renders at display time in the viewer's language, e-mail in the recipient's
``user.language``, a webhook in its endpoint's ``language``. Values that arrive as labels
(``clock_label``, ``level_label``, ``severity_label`` …) are display text already; moments
(``due_at``, ``opened_at``) arrive as ISO text and are shown in local time.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import NotifyEvent

Lines = list[str]


def render(event: str, data: Mapping | None, language: str) -> tuple[str, str]:
    data = data or {}
    with translation.override(language):
        build = RENDERERS.get(event)
        title, lines = build(data) if build else ("", [])
        if not title:
            title = _event_label(event)
        number = _text(data.get("number"))
        if number:
            title = f"{number} {title}"
            parts = (number, _text(data.get("title")), _text(data.get("severity_label")))
            lines.append(" · ".join(p for p in parts if p))
        return title, "\n".join(line for line in lines if line)


def link(data: Mapping | None) -> str:
    """The complaint page as a link to put in a message; absolute when BASE_URL is set."""
    path = _text((data or {}).get("url"))
    if not path:
        return ""
    base = str(settings.QUALITYLOOP.get("BASE_URL", "")).rstrip("/")
    return f"{base}{path}" if path.startswith("/") else path


def local_time(value) -> str:
    """An ISO moment (or a datetime) as "YYYY-MM-DD HH:MM" in settings.TIME_ZONE."""
    if not value:
        return ""
    moment = value
    if not isinstance(moment, datetime):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, ZoneInfo(settings.TIME_ZONE))
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def duration(value) -> str:
    """``late_by`` as text: seconds become days, hours and minutes; text stays as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    minutes = max(0, int(value) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def _text(value) -> str:
    return "" if value is None else str(value)


def _event_label(event: str) -> str:
    try:
        return str(NotifyEvent(event).label)
    except ValueError:
        return event


def _percent(share) -> str:
    """``share`` is the part of the allowed time used: 80 (percent), or 0.8 (a fraction)."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        return ""
    return str(round(share * 100 if isinstance(share, float) and share <= 1 else share))


def _due(data) -> str:
    due = local_time(data.get("due_at"))
    return _("Due at %(due)s.") % {"due": due} if due else ""


def _sla_warning(data) -> tuple[str, Lines]:
    clock = _text(data.get("clock_label"))
    lines = [_due(data)]
    percent = _percent(data.get("share"))
    if percent:
        lines.append(_("%(percent)s%% of the time allowed is used.") % {"percent": percent})
    return (_("Deadline approaching: %(clock)s") % {"clock": clock} if clock else ""), lines


def _sla_missed(data) -> tuple[str, Lines]:
    clock = _text(data.get("clock_label"))
    due = local_time(data.get("due_at"))
    lines = [_("It was due at %(due)s.") % {"due": due} if due else ""]
    return (_("Deadline missed: %(clock)s") % {"clock": clock} if clock else ""), lines


def _escalation(data) -> tuple[str, Lines]:
    clock = _text(data.get("clock_label"))
    level = _text(data.get("level_label"))
    due = local_time(data.get("due_at"))
    late = duration(data.get("late_by"))
    title = ""
    if level and clock:
        title = _("Escalated to %(level)s: %(clock)s") % {"level": level, "clock": clock}
    elif level:
        title = _("Escalated to %(level)s") % {"level": level}
    lines = []
    if due and late:
        lines.append(_("It was due at %(due)s and is %(late)s late.") % {"due": due, "late": late})
    elif due:
        lines.append(_("It was due at %(due)s.") % {"due": due})
    return title, lines


def _critical(data) -> tuple[str, Lines]:
    title = _text(data.get("title"))
    return (
        (_("Critical or claim complaint: %(title)s") % {"title": title} if title else ""),
        [_text(data.get("reason"))],
    )


def _meeting(data) -> tuple[str, Lines]:
    due = local_time(data.get("due_at"))
    title = _("Response meeting due by %(due)s") % {"due": due} if due else ""
    return title, [_text(data.get("task_title"))]


def _major_case(data) -> tuple[str, Lines]:
    lines = []
    days = data.get("days_open")
    if isinstance(days, int) and not isinstance(days, bool):
        lines.append(
            ngettext("Open for %(days)d day.", "Open for %(days)d days.", days) % {"days": days}
        )
    opened = local_time(data.get("opened_at"))
    if opened:
        lines.append(_("Opened as a major quality case at %(opened)s.") % {"opened": opened})
    return _("Major quality case opened"), lines


def _reminder(data) -> tuple[str, Lines]:
    sender = _text(data.get("sender"))
    task = _text(data.get("task_title"))
    if sender and task:
        title = _("Reminder from %(sender)s: %(task)s") % {"sender": sender, "task": task}
    elif sender:
        title = _("Reminder from %(sender)s") % {"sender": sender}
    else:
        title = ""
    return title, [_text(data.get("message"))]


def _management(data) -> tuple[str, Lines]:
    reason = _text(data.get("reason_label")) or _text(data.get("reason"))
    title = _("Escalated to management: %(reason)s") % {"reason": reason} if reason else ""
    return title, [_text(data.get("note"))]


def _task_assigned(data) -> tuple[str, Lines]:
    task = _text(data.get("task_title"))
    title = _("Task assigned to you: %(task)s") % {"task": task} if task else ""
    return title, [_due(data)]


def _summary(data) -> tuple[str, Lines]:
    period = _text(data.get("period_label")) or _text(data.get("period"))
    title = _("Management summary: %(period)s") % {"period": period} if period else ""
    counts = data.get("counts")
    lines = [f"{key}: {value}" for key, value in counts.items()] if isinstance(counts, dict) else []
    return title, lines


RENDERERS: dict[str, Callable[[Mapping], tuple[str, Lines]]] = {
    NotifyEvent.SLA_WARNING: _sla_warning,
    NotifyEvent.SLA_MISSED: _sla_missed,
    NotifyEvent.ESCALATION: _escalation,
    NotifyEvent.CRITICAL: _critical,
    NotifyEvent.MEETING: _meeting,
    NotifyEvent.MAJOR_CASE: _major_case,
    NotifyEvent.REMINDER: _reminder,
    NotifyEvent.MANAGEMENT: _management,
    NotifyEvent.TASK_ASSIGNED: _task_assigned,
    NotifyEvent.SUMMARY: _summary,
}
