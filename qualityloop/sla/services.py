"""Building and keeping business calendars; turning one into working-time arithmetic."""

from datetime import time

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qualityloop.notifications.choices import NotifyEvent
from qualityloop.notifications.services import notify

from . import china
from .models import BusinessCalendar, CalendarDay, WorkingWindow
from .worktime import WorkingTime

DEFAULT_CODE = "cn-default"


def install_default_calendar(calendar_model, window_model, day_model):
    """The Chinese default: Mon–Fri 08:30–12:00 and 13:30–17:30, statutory days from the
    package. Takes the model classes so that a migration can pass its historical ones."""
    calendar, created = calendar_model.objects.get_or_create(
        code=DEFAULT_CODE,
        defaults={"name": "中国标准工作日历 China working calendar", "time_zone": "Asia/Shanghai"},
    )
    if created:
        window_model.objects.bulk_create(
            window_model(
                calendar=calendar,
                weekday=weekday,
                start=time.fromisoformat(start),
                end=time.fromisoformat(end),
            )
            for weekday in range(5)
            for start, end in china.DEFAULT_WINDOWS
        )
    _add_days(calendar, day_model, china.chinese_days(china.known_years()))
    return calendar


def _add_days(calendar, day_model, days) -> int:
    existing = set(day_model.objects.filter(calendar=calendar).values_list("date", flat=True))
    new = [
        day_model(calendar=calendar, date=day, kind=kind, name=name)
        for day, kind, name in days
        if day not in existing
    ]
    day_model.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def sync_holidays(*, calendar: BusinessCalendar, years) -> int:
    """Add the package's statutory days for ``years``; days an administrator set stay as set."""
    return _add_days(calendar, CalendarDay, china.chinese_days(years))


def calendar_for(site_id=None) -> BusinessCalendar:
    """The site's own calendar if it has one, else the default."""
    if site_id:
        own = BusinessCalendar.objects.filter(site_id=site_id).first()
        if own is not None:
            return own
    default = BusinessCalendar.objects.filter(site__isnull=True).order_by("id").first()
    if default is None:
        default = install_default_calendar(BusinessCalendar, WorkingWindow, CalendarDay)
    return default


def working_time(calendar: BusinessCalendar) -> WorkingTime:
    windows: dict[int, list[tuple[time, time]]] = {}
    for window in calendar.windows.all():
        windows.setdefault(window.weekday, []).append((window.start, window.end))
    exceptions = {day: kind == "workday" for day, kind in calendar.days.values_list("date", "kind")}
    return WorkingTime(time_zone=calendar.time_zone, windows=windows, exceptions=exceptions)


def promised_reply_by(complaint):
    """When the complainant will hear from us: the first-response clock's due time, or
    24 hours from receipt when no policy sets that clock."""
    from datetime import timedelta

    from .clocks import reply_by

    return reply_by(complaint) or complaint.received_at + timedelta(hours=24)


# ---------------------------------------------------------------- services on a complaint's time
# Imported lazily: the complaint services call into this app's clocks.


def wait_for_complainant(*, actor, complaint_id, reason: str, expected_version=None):
    """Waiting for the complainant (samples, information): every running clock pauses."""
    from qualityloop.complaints import access, events
    from qualityloop.complaints.choices import EventKind
    from qualityloop.complaints.services import _bump, _check_version, _lock
    from qualityloop.core import clock as wallclock
    from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed

    from . import clocks

    reason = (reason or "").strip()
    with transaction.atomic():
        complaint = _lock(complaint_id)
        if not access.can_wait(actor, complaint):
            raise NotAllowed(_("You may not put this complaint on hold."))
        _check_version(complaint, expected_version)
        if complaint.waiting_since:
            raise DomainError(_("This complaint is already waiting for the complainant."))
        if not reason:
            raise ValidationFailed({"reason": [_("Say what you are waiting for.")]})
        now = wallclock.now()
        paused = clocks.pause(complaint, at=now)
        complaint.waiting_since = now
        _bump(complaint, "waiting_since")
        events.record(
            complaint, EventKind.WAITING, actor=actor, data={"paused": paused}, reason=reason[:2000]
        )
    return complaint


def resume_from_waiting(*, actor, complaint_id, note: str = "", expected_version=None):
    from qualityloop.complaints import access
    from qualityloop.complaints.services import _check_version, _lock
    from qualityloop.core import clock as wallclock
    from qualityloop.core.errors import DomainError, NotAllowed

    with transaction.atomic():
        complaint = _lock(complaint_id)
        if not access.can_wait(actor, complaint):
            raise NotAllowed(_("You may not take this complaint off hold."))
        _check_version(complaint, expected_version)
        if not complaint.waiting_since:
            raise DomainError(_("This complaint is not waiting for the complainant."))
        resume_waiting(complaint, actor=actor, at=wallclock.now(), note=note)
    return complaint


def resume_waiting(complaint, *, actor, at, note: str = "") -> int:
    """Take a locked complaint off hold: its clocks run again with what they had left."""
    from qualityloop.complaints import events
    from qualityloop.complaints.choices import EventKind
    from qualityloop.complaints.services import _bump

    from . import clocks

    waited = at - complaint.waiting_since
    resumed = clocks.resume(complaint, at=at)
    complaint.waiting_since = None
    _bump(complaint, "waiting_since")
    events.record(
        complaint,
        EventKind.RESUMED,
        actor=actor,
        data={"resumed": resumed, "waited_minutes": int(waited.total_seconds() // 60)},
        reason=(note or "").strip()[:2000],
    )
    return resumed


def send_reminder(*, actor, task_id, message: str):
    """催办: a nudge to whoever holds a task, with a message, on the record."""
    from qualityloop.complaints import access, events
    from qualityloop.complaints.choices import EventKind
    from qualityloop.complaints.models import StageTask
    from qualityloop.complaints.services import _bump, _lock
    from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed

    from .choices import Recipient
    from .escalation import _about, recipients

    message = (message or "").strip()
    with transaction.atomic():
        task = StageTask.objects.filter(pk=task_id).first()
        if task is None:
            raise DomainError(_("No such task."), field="task", code="not_found")
        complaint = _lock(task.complaint_id)
        task = StageTask.objects.select_related("assignee", "department").get(pk=task_id)
        if not access.visible_complaints(actor).filter(pk=complaint.pk).exists():
            raise NotAllowed(_("You may not send reminders on this complaint."))
        if not access.can_remind(actor, task):
            raise NotAllowed(_("You may not send reminders on this task."))
        if not message:
            raise ValidationFailed({"message": [_("Write what you are asking for.")]})
        if len(message) > 2000:
            raise ValidationFailed({"message": [_("At most 2000 characters.")]})
        people = [u for u in recipients(Recipient.OWNER, complaint, task) if u.pk != actor.pk]
        events.record(
            complaint,
            EventKind.REMINDER,
            actor=actor,
            data={
                "task": task.pk,
                "title": task.title,
                "message": message,
                "to": [str(u) for u in people],
            },
        )
        notify(
            event=NotifyEvent.REMINDER,
            recipients=people,
            complaint=complaint,
            data=_about(complaint, message=message, sender=str(actor), task_title=task.title),
        )
        _bump(complaint)
    return task


def escalate_to_management(*, actor, complaint_id, reason: str, note: str = ""):
    """An unsatisfied complainant or a legal dispute goes to management."""
    from qualityloop.complaints import access, events
    from qualityloop.complaints.choices import EventKind
    from qualityloop.complaints.services import _bump, _lock
    from qualityloop.core.errors import NotAllowed, ValidationFailed

    from .choices import ManagementReason
    from .escalation import _about, executives

    note = (note or "").strip()
    with transaction.atomic():
        complaint = _lock(complaint_id)
        if actor is not None and not access.can_escalate(actor, complaint):
            raise NotAllowed(_("You may not escalate this complaint."))
        if reason not in ManagementReason.values:
            raise ValidationFailed({"reason": [_("Choose a reason.")]})
        if not note:
            raise ValidationFailed({"note": [_("Say what management needs to know.")]})
        people = executives(complaint)
        with translation.override(settings.LANGUAGE_CODE):
            label = str(ManagementReason(reason).label)
        events.record(
            complaint,
            EventKind.ESCALATED,
            actor=actor,
            data={
                "trigger": "management",
                "reason": reason,
                "reason_label": label,
                "to": [str(u) for u in people],
            },
            reason=note[:2000],
        )
        fields = []
        if reason == ManagementReason.LEGAL and not complaint.legal_dispute:
            complaint.legal_dispute = True
            fields.append("legal_dispute")
        _bump(complaint, *fields)
        notify(
            event=NotifyEvent.MANAGEMENT,
            recipients=people,
            complaint=complaint,
            data=_about(complaint, reason=reason, reason_label=label, note=note),
        )
    return complaint


def add_rectification_item(*, actor, complaint_id, measure: str, owner_id, due_date):
    """One line of the rectification plan (质量问题整改措施表) of a major quality case."""
    from qualityloop.accounts.models import User
    from qualityloop.complaints import access, events
    from qualityloop.complaints.choices import EventKind
    from qualityloop.complaints.services import _bump, _lock
    from qualityloop.core import clock as wallclock
    from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed

    from .models import MajorCase, RectificationItem

    measure = (measure or "").strip()
    with transaction.atomic():
        complaint = _lock(complaint_id)
        if not access.can_plan_rectification(actor, complaint):
            raise NotAllowed(_("You may not plan the rectification of this complaint."))
        case = MajorCase.objects.filter(complaint=complaint).first()
        if case is None:
            raise DomainError(_("This complaint is not a major quality case."))
        if case.plan_submitted_at:
            raise DomainError(_("The plan has been reported to management; it is fixed."))
        errors = {}
        if not measure:
            errors["measure"] = [_("This field is required.")]
        elif len(measure) > 2000:
            errors["measure"] = [_("At most 2000 characters.")]
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        if owner is None:
            errors["owner"] = [_("Choose an active user.")]
        if due_date is None:
            errors["due_date"] = [_("This field is required.")]
        elif due_date < wallclock.now().date():
            errors["due_date"] = [_("The date must not be in the past.")]
        if errors:
            raise ValidationFailed(errors)
        item = RectificationItem.objects.create(
            case=case, measure=measure, owner=owner, due_date=due_date
        )
        events.record(
            complaint,
            EventKind.MAJOR_CASE,
            actor=actor,
            data={
                "item": item.pk,
                "measure": measure,
                "owner": str(owner),
                "due_date": due_date.isoformat(),
            },
        )
        _bump(complaint)
    return item


def submit_rectification_plan(*, actor, complaint_id):
    """Report the plan to management; the plan task is done and the complaint may close."""
    from qualityloop.complaints import access, events
    from qualityloop.complaints.choices import EventKind, TaskStatus
    from qualityloop.complaints.services import _bump, _lock
    from qualityloop.core import clock as wallclock
    from qualityloop.core.errors import DomainError, NotAllowed

    from .escalation import PLAN_TASK_TITLE, _about, executives
    from .models import MajorCase

    with transaction.atomic():
        complaint = _lock(complaint_id)
        if not access.can_plan_rectification(actor, complaint):
            raise NotAllowed(_("You may not plan the rectification of this complaint."))
        case = MajorCase.objects.filter(complaint=complaint).first()
        if case is None:
            raise DomainError(_("This complaint is not a major quality case."))
        if case.plan_submitted_at:
            raise DomainError(_("The plan has already been reported to management."))
        from qualityloop.capa.queries import actions_for

        items = list(case.items.select_related("owner"))
        # The plan is the complaint's CAPA actions plus any measures added to the case.
        actions = list(actions_for(complaint))
        if not items and not actions:
            raise DomainError(_("Plan at least one action or measure first."), field="measure")
        now = wallclock.now()
        case.plan_submitted_at, case.plan_submitted_by = now, actor
        case.save(update_fields=["plan_submitted_at", "plan_submitted_by"])
        events.record(
            complaint,
            EventKind.MAJOR_CASE,
            actor=actor,
            data={"plan_submitted": True, "items": len(items) + len(actions)},
        )
        for task in complaint.tasks.filter(status=TaskStatus.OPEN, title=PLAN_TASK_TITLE):
            task.status, task.completed_at, task.completed_by = TaskStatus.DONE, now, actor
            task.outcome = _("Plan of %(n)d measure(s) reported to management.") % {
                "n": len(items) + len(actions)
            }
            task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
            events.record(
                complaint,
                EventKind.TASK_COMPLETED,
                actor=actor,
                data={"task": task.pk, "title": task.title, "outcome": task.outcome},
            )
        notify(
            event=NotifyEvent.MAJOR_CASE,
            recipients=executives(complaint),
            complaint=complaint,
            data=_about(
                complaint,
                opened_at=case.opened_at.isoformat(),
                days_open=(now - complaint.received_at).days,
                plan=[
                    *(
                        {
                            "measure": f"{a.number} {a.title}",
                            "owner": str(a.owner),
                            "due": a.due_date.isoformat(),
                        }
                        for a in actions
                    ),
                    *(
                        {"measure": i.measure, "owner": str(i.owner), "due": i.due_date.isoformat()}
                        for i in items
                    ),
                ],
            ),
        )
        _bump(complaint)
    return case
