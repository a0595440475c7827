"""Badges, permissions for the navigation, and the timeline in words."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.forms import CheckboxInput
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qualityloop.complaints import access, events, hooks, workflow
from qualityloop.complaints.choices import SEVERITY_COLOURS, EventKind, Severity, SeveritySource
from qualityloop.complaints.models import Complaint
from qualityloop.core import clock

register = template.Library()


@register.filter
def status_colour(status) -> str:
    return workflow.STATUS_COLOURS.get(status, "grey")


@register.filter
def severity_colour(severity) -> str:
    return SEVERITY_COLOURS.get(severity, "grey")


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CheckboxInput)


@register.filter
def field_label(complaint, name: str) -> str:
    return capfirst(Complaint._meta.get_field(name).verbose_name)


@register.simple_tag(takes_context=True)
def user_can_register(context) -> bool:
    return access.can_register(context["request"].user)


# ---------------------------------------------------------------- timeline


@dataclass
class Entry:
    event: object
    kind_label: str
    title: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _local(value) -> str:
    return clock.local_text(value)


def _display(model_field, raw, label=None) -> str:
    """A stored value as a person reads it: labels for choices and foreign keys, local times."""
    if label is not None:
        return label
    if raw in (None, ""):
        return "—"
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if isinstance(raw, str) and model_field is not None:
        internal = model_field.get_internal_type()
        if internal == "DateTimeField" and (moment := parse_datetime(raw)):
            return _local(moment)
        if internal == "DateField" and (day := parse_date(raw)):
            return formats.date_format(day, "Y-m-d")
    if isinstance(raw, datetime):
        return _local(raw)
    if isinstance(raw, date):
        return formats.date_format(raw, "Y-m-d")
    return str(raw)


def _complaint_field(name: str):
    try:
        return Complaint._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return None


def _status_label(value) -> str:
    return str(workflow.Status(value).label) if value in workflow.Status.values else str(value)


def _severity_label(value) -> str:
    return str(Severity(value).label) if value in Severity.values else "—"


def _entry(event) -> Entry:
    data = event.data or {}
    kind = event.kind
    entry = Entry(event, events.kind_label(kind))
    # An app that records its own events describes them (``timeline_entry`` hook).
    for title, lines, changes in hooks.collect("timeline_entry", event):
        entry.title = title
        entry.lines.extend(lines)
        entry.changes.extend(changes)
        return entry
    if kind == EventKind.REGISTERED:
        entry.title = data.get("number", "")
        entry.lines.append((_("Grade"), _severity_label(data.get("severity"))))
        if data.get("basis"):
            entry.lines.append((_("Basis"), data["basis"]))
    elif kind == EventKind.EDITED:
        for change in data.get("changes", []):
            model_field = _complaint_field(change["field"])
            name = capfirst(model_field.verbose_name) if model_field else change["field"]
            entry.changes.append(
                (
                    name,
                    _display(model_field, change.get("before"), change.get("before_label")),
                    _display(model_field, change.get("after"), change.get("after_label")),
                )
            )
    elif kind == EventKind.TRANSITION:
        transition = workflow.BY_NAME.get(data.get("transition"))
        entry.title = str(transition.label) if transition else data.get("transition", "")
        entry.changes.append(
            (_("Stage"), _status_label(data.get("from")), _status_label(data.get("to")))
        )
        if data.get("outcome"):
            label = workflow.OUTCOME_LABELS.get(data.get("transition"), _("Outcome"))
            entry.lines.append((str(label), data["outcome"]))
        if data.get("answer"):
            entry.lines.append((_("Answer to the complainant"), data["answer"]))
        if data.get("explanation"):
            entry.lines.append((_("Explanation to the complainant"), data["explanation"]))
    elif kind == EventKind.GRADED:
        entry.changes.append(
            (
                _("Severity"),
                _severity_label(data.get("before")),
                _severity_label(data.get("after")),
            )
        )
        source = data.get("source")
        if source in SeveritySource.values:
            entry.lines.append((_("Grade from"), str(SeveritySource(source).label)))
        if data.get("basis"):
            entry.lines.append((_("Basis"), data["basis"]))
    elif kind in (EventKind.TASK_OPENED, EventKind.TASK_ASSIGNED):
        entry.title = (
            _status_label(data["stage"]) if data.get("stage_task") else data.get("title", "")
        )
        if kind == EventKind.TASK_OPENED:
            entry.lines.append((_("Department"), data.get("department_label") or "—"))
            if data.get("assignee_label"):
                entry.lines.append((_("Assignee"), data["assignee_label"]))
            if data.get("due_at") and (due := parse_datetime(data["due_at"])):
                entry.lines.append((_("Due"), _local(due)))
        else:
            entry.changes.append(
                (
                    _("Assignee"),
                    data.get("before_label") or _("nobody"),
                    data.get("after_label") or _("nobody"),
                )
            )
    elif kind in (EventKind.TASK_COMPLETED, EventKind.TASK_CANCELLED):
        entry.title = data.get("title", "")
        if data.get("outcome"):
            entry.lines.append((_("Outcome"), data["outcome"]))
    elif kind == EventKind.ATTACHMENT:
        entry.title = data.get("name", "")
        if data.get("size"):
            entry.lines.append((_("Size"), filesizeformat(data["size"])))
    elif kind == EventKind.COMMENT:
        entry.lines.append(("", data.get("body", "")))
    elif kind == EventKind.CUSTOMER_ANSWER:
        entry.lines.append(("", data.get("text", "")))
    elif kind == EventKind.ACKNOWLEDGEMENT_SENT and data.get("to"):
        entry.lines.append((_("To"), data["to"]))
    elif kind in (EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED):
        entry.title = data.get("subject", "")
        party = data.get("to") if kind == EventKind.MESSAGE_SENT else data.get("from")
        if party:
            label = _("To") if kind == EventKind.MESSAGE_SENT else _("From")
            entry.lines.append((label, party))
        entry.lines.append(("", data.get("body", "")))
    elif kind == EventKind.SIGNATURE:
        transition = workflow.BY_NAME.get(data.get("subject"))
        entry.title = str(transition.label) if transition else data.get("subject", "")
        meaning = workflow.MEANING_LABELS.get(data.get("meaning"))
        if meaning:
            entry.lines.append((_("Meaning"), str(meaning)))
        if data.get("hash"):
            entry.lines.append((_("Content hash"), data["hash"][:16] + "…"))
    return entry


@register.simple_tag
def timeline(events) -> list[Entry]:
    """Each event as a heading, label/value lines and before → after changes."""
    return [_entry(event) for event in events]


@register.simple_tag
def colon() -> str:
    """The separator after a label: full-width in Chinese, where it carries its own space."""
    return "：" if (get_language() or "").startswith("zh") else ": "
