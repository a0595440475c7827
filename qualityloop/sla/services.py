"""Services on a complaint's time: holds, reminders (催办), escalation to management, the
rectification plan of a major case; and keeping the business calendars."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qualityloop.accounts.models import User
from qualityloop.capa.queries import actions_for
from qualityloop.complaints import access, changes, events
from qualityloop.complaints.choices import EventKind, TaskKind, TaskStatus
from qualityloop.complaints.models import StageTask
from qualityloop.core import clock as wallclock
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.notifications.choices import NotifyEvent
from qualityloop.notifications.services import notify

from . import calendars, china, clocks, escalation
from .choices import ManagementReason, Recipient
from .models import BusinessCalendar, CalendarDay, MajorCase, RectificationItem


@transaction.atomic
def sync_holidays(*, calendar: BusinessCalendar, years) -> int:
    """Add the package's statutory days for ``years``; days an administrator set stay as set."""
    return calendars.add_days(calendar, CalendarDay, china.chinese_days(years))


def promised_reply_by(complaint):
    """When the complainant will hear from us: the first-response clock's due time, or
    24 hours from receipt when no policy sets that clock."""
    return clocks.reply_by(complaint) or complaint.received_at + timedelta(hours=24)


# ---------------------------------------------------------------- services on a complaint's time


def wait_for_complainant(*, actor, complaint_id, reason: str, expected_version=None):
    """Waiting for the complainant (samples, information): every running clock pauses."""

    reason = (reason or "").strip()
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        if not access.can_wait(actor, complaint):
            raise NotAllowed(_("You may not put this complaint on hold."))
        changes.check_version(complaint, expected_version)
        if complaint.waiting_since:
            raise DomainError(_("This complaint is already waiting for the complainant."))
        if not reason:
            raise ValidationFailed({"reason": [_("Say what you are waiting for.")]})
        now = wallclock.now()
        paused = clocks.pause(complaint, at=now)
        complaint.waiting_since = now
        changes.bump(complaint, "waiting_since")
        events.record(
            complaint, EventKind.WAITING, actor=actor, data={"paused": paused}, reason=reason[:2000]
        )
    return complaint


def resume_from_waiting(*, actor, complaint_id, note: str = "", expected_version=None):

    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        if not access.can_wait(actor, complaint):
            raise NotAllowed(_("You may not take this complaint off hold."))
        changes.check_version(complaint, expected_version)
        if not complaint.waiting_since:
            raise DomainError(_("This complaint is not waiting for the complainant."))
        resume_waiting(complaint, actor=actor, at=wallclock.now(), note=note)
    return complaint


def resume_waiting(complaint, *, actor, at, note: str = "") -> int:
    """Take a locked complaint off hold: its clocks run again with what they had left."""

    waited = at - complaint.waiting_since
    resumed = clocks.resume(complaint, at=at)
    complaint.waiting_since = None
    changes.bump(complaint, "waiting_since")
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

    message = (message or "").strip()
    with transaction.atomic():
        task = StageTask.objects.filter(pk=task_id).first()
        if task is None:
            raise DomainError(_("No such task."), field="task", code="not_found")
        complaint = changes.lock(task.complaint_id)
        task = StageTask.objects.select_related("assignee", "department").get(pk=task_id)
        if not access.visible_complaints(actor).filter(pk=complaint.pk).exists():
            raise NotAllowed(_("You may not send reminders on this complaint."))
        if not access.can_remind(actor, task):
            raise NotAllowed(_("You may not send reminders on this task."))
        if not message:
            raise ValidationFailed({"message": [_("Write what you are asking for.")]})
        if len(message) > 2000:
            raise ValidationFailed({"message": [_("At most 2000 characters.")]})
        people = [
            u for u in escalation.recipients(Recipient.OWNER, complaint, task) if u.pk != actor.pk
        ]
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
            data=escalation.about(
                complaint, message=message, sender=str(actor), task_title=task.title
            ),
        )
        changes.bump(complaint)
    return task


def escalate_to_management(*, actor, complaint_id, reason: str, note: str = ""):
    """An unsatisfied complainant or a legal dispute goes to management."""

    note = (note or "").strip()
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        if actor is not None and not access.can_escalate(actor, complaint):
            raise NotAllowed(_("You may not escalate this complaint."))
        if reason not in ManagementReason.values:
            raise ValidationFailed({"reason": [_("Choose a reason.")]})
        if not note:
            raise ValidationFailed({"note": [_("Say what management needs to know.")]})
        people = escalation.executives(complaint)
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
        changes.bump(complaint, *fields)
        notify(
            event=NotifyEvent.MANAGEMENT,
            recipients=people,
            complaint=complaint,
            data=escalation.about(complaint, reason=reason, reason_label=label, note=note),
        )
    return complaint


def add_rectification_item(*, actor, complaint_id, measure: str, owner_id, due_date):
    """One line of the rectification plan (质量问题整改措施表) of a major quality case."""

    measure = (measure or "").strip()
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
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
        changes.bump(complaint)
    return item


def submit_rectification_plan(*, actor, complaint_id):
    """Report the plan to management; the plan task is done and the complaint may close."""

    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        if not access.can_plan_rectification(actor, complaint):
            raise NotAllowed(_("You may not plan the rectification of this complaint."))
        case = MajorCase.objects.filter(complaint=complaint).first()
        if case is None:
            raise DomainError(_("This complaint is not a major quality case."))
        if case.plan_submitted_at:
            raise DomainError(_("The plan has already been reported to management."))

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
        for task in complaint.tasks.filter(
            status=TaskStatus.OPEN, kind=TaskKind.RECTIFICATION_PLAN
        ):
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
            recipients=escalation.executives(complaint),
            complaint=complaint,
            data=escalation.about(
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
        changes.bump(complaint)
    return case
