"""What happens when time runs out, and the people it reaches.

The scheduled tasks in ``tasks.py`` call the ``fire_*`` services; each re-reads the complaint
and the clock under the complaint's row lock and does nothing if the clock stopped, paused or
moved (its generation changed) or if that step already happened, so a task that runs twice,
or late after the worker was down, acts exactly once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qualityloop.accounts.choices import DepartmentKind, Role
from qualityloop.accounts.models import Department, User
from qualityloop.complaints import changes, events
from qualityloop.complaints.choices import EventKind, TaskKind
from qualityloop.complaints.models import Complaint, StageTask
from qualityloop.complaints.services import current_stage_task, open_task
from qualityloop.complaints.workflow import FINAL
from qualityloop.core import clock as wallclock
from qualityloop.core.effects import after_commit
from qualityloop.notifications.choices import NotifyEvent
from qualityloop.notifications.services import notify

from . import clocks, tasks
from .choices import Recipient
from .models import EscalationStep, MajorCase, SlaClock

MEETING_WITHIN = timedelta(hours=1)
REPORT_WITHIN = timedelta(hours=24)
PLAN_WITHIN = timedelta(days=3)
MEETING_TASK_TITLE = "响应会议 Response meeting"
REPORT_TASK_TITLE = "向管理层报告 Report to management"
PLAN_TASK_TITLE = "质量问题整改措施表 Rectification plan"


def major_case_after() -> timedelta:
    return timedelta(days=getattr(settings, "MAJOR_CASE_AFTER_DAYS", 7))


# ---------------------------------------------------------------- who


def _stage_task(complaint: Complaint, clock: SlaClock | None = None) -> StageTask | None:
    """The task a clock belongs to: its stage's, or for the other clocks the current one."""
    stage = clock.kind if clock is not None and clock.kind in clocks.STAGE_CLOCKS else None
    return current_stage_task(complaint, stage)


def _members(department_id, *roles) -> list[User]:
    if not department_id:
        return []
    qs = User.objects.filter(department_id=department_id, is_active=True)
    if roles:
        qs = qs.filter(role__in=roles)
    return list(qs)


def _quality_managers(complaint: Complaint) -> list[User]:
    heads = User.objects.filter(
        is_active=True, role=Role.DEPARTMENT_HEAD, department__kind=DepartmentKind.QUALITY
    )
    local = list(heads.filter(department__site_id=complaint.site_id))
    return local or list(heads.filter(department__site__isnull=True)) or list(heads)


def executives(complaint: Complaint) -> list[User]:
    """The plant's lead executive (seed 001 routes by plant), else every executive."""
    if complaint.site_id and complaint.site.lead_executive_id:
        lead = complaint.site.lead_executive
        if lead.is_active:
            return [lead]
    return list(User.objects.filter(is_active=True, role=Role.EXECUTIVE))


def recipients(kind: str, complaint: Complaint, task: StageTask | None) -> list[User]:
    department_id = task.department_id if task else complaint.responsible_department_id
    if kind == Recipient.OWNER:
        if task is not None and task.assignee_id and task.assignee.is_active:
            return [task.assignee]
        return _members(department_id)
    if kind == Recipient.DEPARTMENT_HEAD:
        return _members(department_id, Role.DEPARTMENT_HEAD)
    if kind == Recipient.QUALITY_MANAGER:
        return _quality_managers(complaint)
    return executives(complaint)


# ---------------------------------------------------------------- what they are told


def about(complaint: Complaint, **extra) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "complaint": complaint.pk,
            "number": complaint.number,
            "title": complaint.title,
            "severity": complaint.severity,
            "severity_label": str(complaint.get_severity_display()),
            "url": complaint.get_absolute_url(),
            **extra,
        }


def _clock_data(clock: SlaClock) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        label = str(clock.get_kind_display())
    return {"clock": clock.kind, "clock_label": label, "due_at": clock.due_at.isoformat()}


def _duration_text(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)


def duration_text(value: timedelta | None) -> str:
    return "" if value is None else _duration_text(abs(value))


# ---------------------------------------------------------------- firing


def _locked(complaint_id) -> Complaint:
    return changes.lock(complaint_id, select_related=("site",))


def _live_clock(clock_id, generation) -> tuple[Complaint, SlaClock] | None:
    """The clock under its complaint's lock, or None if this task has nothing left to do."""
    complaint_id = SlaClock.objects.filter(pk=clock_id).values_list("complaint_id", flat=True)
    if not complaint_id:
        return None
    complaint = _locked(complaint_id[0])
    clock = SlaClock.objects.select_related("calendar").get(pk=clock_id)
    if clock.generation != generation or clock.stopped_at or clock.paused_at:
        return None
    return complaint, clock


def fire_warning(*, clock_id, generation) -> bool:
    with transaction.atomic():
        found = _live_clock(clock_id, generation)
        if found is None:
            return False
        complaint, clock = found
        if clock.warned_at is not None or wallclock.now() >= clock.due_at:
            return False
        clock.warned_at = wallclock.now()
        clock.save(update_fields=["warned_at"])
        task = _stage_task(complaint, clock)
        notify(
            event=NotifyEvent.SLA_WARNING,
            recipients=recipients(Recipient.OWNER, complaint, task),
            complaint=complaint,
            data=about(complaint, **_clock_data(clock), share=clock.warn_percent),
        )
    return True


def fire_deadline(*, clock_id, generation) -> bool:
    """The deadline passed: note it on the record, tell the owner, start the chain."""
    with transaction.atomic():
        found = _live_clock(clock_id, generation)
        if found is None:
            return False
        complaint, clock = found
        now = wallclock.now()
        if clock.missed_at is not None or now < clock.due_at:
            return False
        clock.missed_at = now
        clock.save(update_fields=["missed_at"])
        events.record(complaint, EventKind.CLOCK_MISSED, actor=None, data=_clock_data(clock))
        task = _stage_task(complaint, clock)
        notify(
            event=NotifyEvent.SLA_MISSED,
            recipients=recipients(Recipient.OWNER, complaint, task),
            complaint=complaint,
            data=about(complaint, **_clock_data(clock)),
        )
        for step in EscalationStep.objects.all():
            lead = step.lead_time(complaint.severity)
            if lead <= timedelta(0):
                _escalate(complaint, clock, step, task)
            else:
                _schedule_step(clock, step.level, clock.due_at + lead)
    return True


def _schedule_step(clock: SlaClock, level: int, when) -> None:
    pk, generation = clock.pk, clock.generation
    after_commit(
        lambda: tasks.clock_escalation.using(run_after=when).enqueue(pk, generation, level)
    )


def _escalate(complaint, clock, step, task) -> None:
    if clock.escalation_level >= step.level:
        return
    clock.escalation_level = step.level
    clock.save(update_fields=["escalation_level"])
    people = recipients(step.recipient, complaint, task)
    with translation.override(settings.LANGUAGE_CODE):
        level_label = str(step.get_recipient_display())
    late = wallclock.now() - clock.due_at
    data = {
        **_clock_data(clock),
        "level": step.level,
        "level_label": level_label,
        "late_by": _duration_text(late),
        "late_minutes": int(late.total_seconds() // 60),
        "to": [str(u) for u in people],
    }
    events.record(complaint, EventKind.ESCALATED, actor=None, data=data)
    notify(
        event=NotifyEvent.ESCALATION,
        recipients=people,
        complaint=complaint,
        data=about(complaint, **data),
    )


def fire_escalation(*, clock_id, generation, level) -> bool:
    with transaction.atomic():
        found = _live_clock(clock_id, generation)
        if found is None:
            return False
        complaint, clock = found
        step = EscalationStep.objects.filter(level=level).first()
        if step is None or clock.escalation_level >= level or clock.missed_at is None:
            return False
        if wallclock.now() < clock.due_at + step.lead_time(complaint.severity):
            return False
        _escalate(complaint, clock, step, _stage_task(complaint, clock))
    return True


# ---------------------------------------------------------------- urgent complaints


def _quality_department(complaint: Complaint) -> Department | None:
    quality = Department.objects.filter(kind=DepartmentKind.QUALITY, is_active=True)
    return (
        quality.filter(site_id=complaint.site_id).first()
        or quality.filter(site__isnull=True).first()
        or quality.first()
    )


def _open_task(complaint, *, kind, title, due_at, department, assignee, actor) -> StageTask:
    return open_task(
        complaint,
        actor=actor,
        stage=complaint.status,
        title=title,
        department=department,
        assignee=assignee,
        due_at=due_at,
        kind=kind,
    )


def on_urgent(complaint: Complaint, *, actor) -> bool:
    """紧急 complaints and returns or claims: the executive hears at once, and a response
    meeting (1 h) and a report to management (24 h) become tasks. Once per complaint."""
    if not clocks.is_urgent(complaint):
        return False
    if complaint.events.filter(kind=EventKind.ESCALATED, data__trigger="urgent").exists():
        return False
    now = wallclock.now()
    department = _quality_department(complaint)
    people = executives(complaint)
    managers = _quality_managers(complaint)
    reason = _("critical") if complaint.severity == 1 else _("return or claim")
    events.record(
        complaint,
        EventKind.ESCALATED,
        actor=actor,
        data={"trigger": "urgent", "reason": reason, "to": [str(u) for u in people]},
    )
    notify(
        event=NotifyEvent.CRITICAL,
        recipients=people,
        complaint=complaint,
        data=about(complaint, reason=reason),
    )
    if department is None:
        return True
    lead = managers[0] if managers and managers[0].department_id == department.pk else None
    meeting = _open_task(
        complaint,
        kind=TaskKind.RESPONSE_MEETING,
        title=MEETING_TASK_TITLE,
        due_at=now + MEETING_WITHIN,
        department=department,
        assignee=lead,
        actor=actor,
    )
    _open_task(
        complaint,
        kind=TaskKind.MANAGEMENT_REPORT,
        title=REPORT_TASK_TITLE,
        due_at=now + REPORT_WITHIN,
        department=department,
        assignee=lead,
        actor=actor,
    )
    notify(
        event=NotifyEvent.MEETING,
        recipients=[*managers, *people],
        complaint=complaint,
        data=about(
            complaint,
            task=meeting.pk,
            task_title=meeting.title,
            due_at=meeting.due_at.isoformat(),
        ),
    )
    return True


# ---------------------------------------------------------------- major quality cases


def schedule_major_case_check(complaint: Complaint) -> None:
    pk, when = complaint.pk, complaint.received_at + major_case_after()
    after_commit(lambda: tasks.major_case_check.using(run_after=when).enqueue(pk))


def open_major_case_if_due(*, complaint_id) -> MajorCase | None:
    """重大质量问题立案: still open a week after receipt."""
    with transaction.atomic():
        complaint = _locked(complaint_id)
        now = wallclock.now()
        if complaint.status in FINAL or now < complaint.received_at + major_case_after():
            return None
        if MajorCase.objects.filter(complaint=complaint).exists():
            return None
        case = MajorCase.objects.create(complaint=complaint, opened_at=now)
        days = (now - complaint.received_at).days
        events.record(complaint, EventKind.MAJOR_CASE, actor=None, data={"days_open": days})
        department = _quality_department(complaint)
        managers = _quality_managers(complaint)
        if department is not None:
            lead = managers[0] if managers and managers[0].department_id == department.pk else None
            _open_task(
                complaint,
                kind=TaskKind.RECTIFICATION_PLAN,
                title=PLAN_TASK_TITLE,
                due_at=now + PLAN_WITHIN,
                department=department,
                assignee=lead,
                actor=None,
            )
        notify(
            event=NotifyEvent.MAJOR_CASE,
            recipients=[*executives(complaint), *managers],
            complaint=complaint,
            data=about(complaint, opened_at=now.isoformat(), days_open=days),
        )
        changes.bump(complaint)
    return case
