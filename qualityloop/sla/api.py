"""Deadlines in the API, mounted beside the complaints at /api/v1/complaints: the clocks of a
complaint, hold and resume, 催办, escalation to management and the rectification plan."""

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from qualityloop.complaints import access
from qualityloop.complaints.models import StageTask
from qualityloop.core.errors import DomainError, NotAllowed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS, Id, Input, Text, string

from . import services
from .choices import ManagementReason
from .models import MajorCase
from .views import clock_rows

router = Router(tags=["deadlines"])


class ClockOut(Schema):
    kind: str
    label: str
    state: str
    basis: str
    allowed_minutes: int
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    left_minutes: int | None
    late_minutes: int | None
    warned_at: datetime | None
    missed_at: datetime | None
    escalation_level: int


class WaitIn(Input):
    reason: Text = string(2000)
    version: int | None = None


class ResumeIn(Input):
    note: Text = string(2000, default="")
    version: int | None = None


class ReminderIn(Input):
    message: Text = string(2000)


class EscalateIn(Input):
    reason: ManagementReason
    note: Text = string(2000)


class ItemIn(Input):
    measure: Text = string(2000)
    owner: Id
    due_date: date


class ItemOut(Schema):
    measure: str
    owner: str
    due_date: date


class MajorCaseOut(Schema):
    opened_at: datetime
    plan_submitted_at: datetime | None
    items: list[ItemOut]


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


def _clocks(complaint) -> list[dict]:
    return [
        {
            "kind": r["clock"].kind,
            "label": str(r["clock"].get_kind_display()),
            "state": r["state"],
            "basis": r["clock"].basis,
            "allowed_minutes": _minutes(r["clock"].duration),
            "started_at": r["clock"].started_at,
            "due_at": r["clock"].due_at,
            "stopped_at": r["clock"].stopped_at,
            "left_minutes": _minutes(r["left"]),
            "late_minutes": _minutes(r["clock"].late_by),
            "warned_at": r["clock"].warned_at,
            "missed_at": r["clock"].missed_at,
            "escalation_level": r["clock"].escalation_level,
        }
        for r in clock_rows(complaint)
    ]


def _case(complaint_id) -> dict:
    case = MajorCase.objects.filter(complaint_id=complaint_id).first()
    if case is None:
        raise DomainError(_("This complaint is not a major quality case."), code="not_found")
    return {
        "opened_at": case.opened_at,
        "plan_submitted_at": case.plan_submitted_at,
        "items": [
            {"measure": i.measure, "owner": str(i.owner), "due_date": i.due_date}
            for i in case.items.select_related("owner")
        ],
    }


@router.get(
    "/{complaint_id}/clocks",
    response={200: list[ClockOut], **READ_ERRORS},
    summary="Deadlines: due, left, met or missed by how much",
)
def clocks(request, complaint_id: int):
    return _clocks(access.get_complaint_for(request.auth, complaint_id))


@router.post(
    "/{complaint_id}/wait",
    response={200: list[ClockOut], **WRITE_ERRORS},
    summary="Wait for the complainant: pause every deadline",
)
def wait(request, complaint_id: int, payload: WaitIn):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    services.wait_for_complainant(
        actor=request.auth,
        complaint_id=complaint.pk,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _clocks(complaint)


@router.post(
    "/{complaint_id}/resume",
    response={200: list[ClockOut], **WRITE_ERRORS},
    summary="The complainant replied: the deadlines run again",
)
def resume(request, complaint_id: int, payload: ResumeIn):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    services.resume_from_waiting(
        actor=request.auth,
        complaint_id=complaint.pk,
        note=payload.note,
        expected_version=payload.version,
    )
    return _clocks(complaint)


@router.post(
    "/{complaint_id}/tasks/{task_id}/remind",
    response={204: None, **WRITE_ERRORS},
    summary="Remind (催办) whoever holds a task",
)
def remind(request, complaint_id: int, task_id: int, payload: ReminderIn):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    task = StageTask.objects.filter(pk=task_id, complaint=complaint).first()
    if task is None:
        raise DomainError(_("No such task."), field="task", code="not_found")
    if not access.can_remind(request.auth, task):
        raise NotAllowed(_("You may not send reminders on this task."))
    services.send_reminder(actor=request.auth, task_id=task.pk, message=payload.message)
    return Status(204, None)


@router.post(
    "/{complaint_id}/escalate",
    response={204: None, **WRITE_ERRORS},
    summary="Escalate to management (unsatisfied complainant, legal dispute, unresolved)",
)
def escalate(request, complaint_id: int, payload: EscalateIn):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    services.escalate_to_management(
        actor=request.auth, complaint_id=complaint.pk, reason=payload.reason, note=payload.note
    )
    return Status(204, None)


@router.get(
    "/{complaint_id}/major-case",
    response={200: MajorCaseOut, **READ_ERRORS},
    summary="The major quality case and its rectification plan",
)
def major_case(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return _case(complaint.pk)


@router.post(
    "/{complaint_id}/major-case/items",
    response={201: MajorCaseOut, **WRITE_ERRORS},
    summary="Add a measure to the rectification plan",
)
def add_item(request, complaint_id: int, payload: ItemIn):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    services.add_rectification_item(
        actor=request.auth,
        complaint_id=complaint.pk,
        measure=payload.measure,
        owner_id=payload.owner,
        due_date=payload.due_date,
    )
    return Status(201, _case(complaint.pk))


@router.post(
    "/{complaint_id}/major-case/submit",
    response={200: MajorCaseOut, **WRITE_ERRORS},
    summary="Report the rectification plan to management",
)
def submit(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    services.submit_rectification_plan(actor=request.auth, complaint_id=complaint.pk)
    return _case(complaint.pk)
