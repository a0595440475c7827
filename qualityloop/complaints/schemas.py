"""What the complaints API reads and writes.

Inputs name related records by id under the field's own name (``"product": 7``), so an error
about a product is reported on ``product``; outputs give them as ``{"id", "label"}``.
"""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from qualityloop.core.schemas import (  # noqa: F401 (still importable from here)
    BIGINT,
    Day,
    ErrorOut,
    Id,
    Input,
    Moment,
    Ref,
    Text,
    ref,
    string,
)

from . import events, workflow
from .choices import Channel, ComplainantType, Remedy, Scope, Severity, SeveritySource, Warranty
from .models import DESCRIPTION_MAX, Attachment, Complaint, ComplaintEvent, StageTask
from .workflow import Status


class ComplaintIn(Input):
    """A new complaint. ``channel`` defaults to "api"; ``received_at`` to now."""

    title: Text = string(200)
    description: Text = string(DESCRIPTION_MAX)
    complainant_name: Text = string(100)
    complainant_org: Text = string(200, default="")
    complainant_phone: Text = string(40, default="")
    complainant_email: Text = string(254, default="")
    complainant_type: ComplainantType = ComplainantType.CUSTOMER
    customer: Id | None = None
    product: Id | None = None
    model_number: Text = string(100, default="")
    batch: Id | None = None
    serial_number: Text = string(100, default="")
    quantity: int | None = Field(None, ge=0, le=2_147_483_647)
    purchase_date: Day | None = None
    occurred_at: Moment | None = None
    occurred_place: Text = string(200, default="")
    requested_remedy: Remedy | None = None
    requested_remedy_detail: Text = string(500, default="")
    immediate_action: Text = string(5000, default="")
    channel: Channel = Channel.API
    received_at: Moment | None = None
    category: Id | None = None
    safety_or_regulatory: bool = False
    scope: Scope = Scope.UNIT
    line_down: bool = False
    is_repeat: bool | None = Field(
        None, description="Leave out to let QualityLoop look for earlier complaints."
    )
    responsible_department: Id | None = None


class ComplaintPatch(Input):
    """Fields to change; leave out what stays. ``version`` is the one you read."""

    version: int = Field(ge=1, le=BIGINT)
    reason: Text = string(2000, default="")
    title: Text | None = string(200, default=None)
    description: Text | None = string(DESCRIPTION_MAX, default=None)
    complainant_name: Text | None = string(100, default=None)
    complainant_org: Text | None = string(200, default=None)
    complainant_phone: Text | None = string(40, default=None)
    complainant_email: Text | None = string(254, default=None)
    complainant_type: ComplainantType | None = None
    customer: Id | None = None
    product: Id | None = None
    model_number: Text | None = string(100, default=None)
    batch: Id | None = None
    serial_number: Text | None = string(100, default=None)
    quantity: int | None = Field(None, ge=0, le=2_147_483_647)
    purchase_date: Day | None = None
    occurred_at: Moment | None = None
    occurred_place: Text | None = string(200, default=None)
    requested_remedy: Remedy | None = None
    requested_remedy_detail: Text | None = string(500, default=None)
    immediate_action: Text | None = string(5000, default=None)
    channel: Channel | None = None
    received_at: Moment | None = None
    category: Id | None = None
    safety_or_regulatory: bool | None = None
    scope: Scope | None = None
    line_down: bool | None = None
    is_repeat: bool | None = None
    responsible_department: Id | None = None


# Input name → the key services.INPUT_FIELDS uses.
RELATED = {
    "customer": "customer_id",
    "product": "product_id",
    "batch": "batch_id",
    "category": "category_id",
    "responsible_department": "responsible_department_id",
}
# Fields where null means "empty", not "unknown".
BLANK_WHEN_NULL = frozenset(
    {
        "complainant_org",
        "complainant_phone",
        "complainant_email",
        "model_number",
        "serial_number",
        "occurred_place",
        "requested_remedy",
        "requested_remedy_detail",
        "immediate_action",
    }
)


def service_data(values: dict) -> dict:
    """API field names and values as the services take them."""
    data = {}
    for name, value in values.items():
        if name in BLANK_WHEN_NULL and value is None:
            value = ""
        if hasattr(value, "value"):
            value = value.value
        data[RELATED.get(name, name)] = value
    return data


class ListQuery(Schema):
    state: Literal["open", "closed", "rejected", "all"] = "open"
    stage: Status | None = None
    severity: Severity | None = None
    category: Id | None = None
    product: Id | None = None
    customer: Id | None = None
    department: Id | None = None
    received_from: Day | None = None
    received_to: Day | None = None
    q: Text = string(200, default="")
    sort: Literal["newest", "oldest", "severity", "updated"] = "newest"
    after: Text = Field("", max_length=500, description="next_cursor of the previous page")
    before: Text = Field("", max_length=500, description="prev_cursor of the next page")
    size: int = Field(25, ge=1, le=100)


class GradeIn(Input):
    severity: Severity | None = Field(
        description=(
            "1 critical 紧急, 2 major 重要, 3 minor 一般; null hands the grade back to the rules."
        )
    )
    reason: Text = string(2000, default="")
    version: int | None = Field(None, ge=1, le=BIGINT)


class TransitionIn(Input):
    reason: Text = string(10000, default="")
    explanation: Text = string(10000, default="", description="to the complainant")
    outcome: Text = string(10000, default="", description="what the stage produced")
    answer: Text = string(10000, default="", description="to the complainant")
    version: int | None = Field(None, ge=1, le=BIGINT)
    meaning: str = string(
        20, default="", description="signed transitions: what the signature means"
    )
    password: str = string(
        200, default="", description="signed transitions: the caller's password, to sign"
    )


class AnswerIn(Input):
    text: Text = string(10000)
    version: int | None = Field(None, ge=1, le=BIGINT)


class CommentIn(Input):
    body: Text = string(10000)


class TaskIn(Input):
    """Work asked of another department on this complaint."""

    department: Id
    title: Text = string(200)
    due_at: Moment
    assignee: Id | None = None


class AssignIn(Input):
    assignee: Id | None = Field(None, description="null leaves the task unassigned")


class CompleteIn(Input):
    outcome: Text = string(10000)


# ---------------------------------------------------------------- outputs


class TaskOut(Schema):
    id: int
    stage: Status
    stage_label: str
    title: str
    department: Ref
    assignee: Ref | None
    is_stage_task: bool
    status: str
    opened_at: datetime
    due_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: Ref
    uploaded_at: datetime


class ComplaintOut(Schema):
    id: int
    number: str
    title: str
    description: str
    complainant_name: str
    complainant_org: str
    complainant_phone: str
    complainant_email: str
    complainant_type: ComplainantType
    customer: Ref | None
    product: Ref | None
    model_number: str
    batch: Ref | None
    serial_number: str
    quantity: int | None
    purchase_date: date | None
    warranty: Warranty
    site: Ref | None
    occurred_at: datetime | None
    occurred_place: str
    requested_remedy: Remedy | None
    requested_remedy_detail: str
    immediate_action: str
    channel: Channel
    received_at: datetime
    received_by: Ref
    category: Ref | None
    safety_or_regulatory: bool
    scope: Scope
    line_down: bool
    is_repeat: bool
    severity: Severity
    severity_label: str
    severity_basis: str
    severity_source: SeveritySource
    status: Status
    stage_label: str
    stage_number: int | None = Field(description="1–8 for the stages of the loop, null when ended")
    responsible_department: Ref | None
    customer_answer: str
    customer_answered_at: datetime | None
    verified_at: datetime | None
    first_contact_resolution: bool
    acknowledgement_sent_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    tasks: list[TaskOut] = Field(description="Open tasks, the current stage's first")
    attachments: list[AttachmentOut]


class ComplaintListItem(Schema):
    id: int
    number: str
    title: str
    complainant_name: str
    customer: Ref | None
    product: Ref | None
    category: Ref | None
    channel: Channel
    received_at: datetime
    updated_at: datetime
    severity: Severity
    severity_label: str
    status: Status
    stage_label: str
    task_due_at: datetime | None
    task_department: str | None
    task_assignee: str | None
    version: int


class ComplaintPage(Schema):
    items: list[ComplaintListItem]
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_capped: bool = Field(description="count stops at 1000; true when there are more")


class TransitionOut(Schema):
    name: str
    label: str
    target: Status
    target_label: str
    requires: list[Literal["reason", "explanation", "outcome", "answer"]]
    outcome_label: str | None
    allowed: bool
    blocked_reason: str | None


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    actor: Ref | None
    at: datetime
    data: dict[str, Any]
    reason: str
    prev_hash: str
    hash: str


# ---------------------------------------------------------------- building outputs


# Complaint fields the API returns as they are stored.
PLAIN_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "complainant_name",
    "complainant_org",
    "complainant_phone",
    "complainant_email",
    "complainant_type",
    "model_number",
    "serial_number",
    "quantity",
    "purchase_date",
    "warranty",
    "occurred_at",
    "occurred_place",
    "requested_remedy_detail",
    "immediate_action",
    "channel",
    "received_at",
    "safety_or_regulatory",
    "scope",
    "line_down",
    "is_repeat",
    "severity",
    "severity_basis",
    "severity_source",
    "status",
    "customer_answer",
    "customer_answered_at",
    "verified_at",
    "first_contact_resolution",
    "acknowledgement_sent_at",
    "closed_at",
    "reopen_count",
    "version",
    "created_at",
    "updated_at",
)


def task_out(task: StageTask) -> dict:
    return {
        "id": task.pk,
        "stage": task.stage,
        "stage_label": str(Status(task.stage).label),
        "title": task.title,
        "department": ref(task.department),
        "assignee": ref(task.assignee),
        "is_stage_task": task.is_stage_task,
        "status": task.status,
        "opened_at": task.opened_at,
        "due_at": task.due_at,
    }


def attachment_out(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": ref(a.uploaded_by),
        "uploaded_at": a.uploaded_at,
    }


def complaint_out(c: Complaint, tasks: list[StageTask], attachments: list[Attachment]) -> dict:
    out = {name: getattr(c, name) for name in PLAIN_FIELDS}
    for name in ("customer", "product", "batch", "site", "received_by", "category"):
        out[name] = ref(getattr(c, name))
    out["responsible_department"] = ref(c.responsible_department)
    stage_first = sorted(tasks, key=lambda t: (not (t.is_stage_task and t.stage == c.status),))
    out.update(
        requested_remedy=c.requested_remedy or None,
        severity_label=str(Severity(c.severity).label),
        stage_label=str(Status(c.status).label),
        stage_number=workflow.STAGE_NUMBER.get(c.status),
        tasks=[task_out(t) for t in stage_first],
        attachments=[attachment_out(a) for a in attachments],
    )
    return out


def list_item_out(c: Complaint, english: bool) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "complainant_name": c.complainant_name,
        "customer": ref(c.customer),
        "product": ref(c.product),
        "category": ref(c.category),
        "channel": c.channel,
        "received_at": c.received_at,
        "updated_at": c.updated_at,
        "severity": c.severity,
        "severity_label": str(Severity(c.severity).label),
        "status": c.status,
        "stage_label": str(Status(c.status).label),
        "task_due_at": c.task_due_at,
        "task_department": c.task_department_en if english else c.task_department,
        "task_assignee": c.task_assignee,
        "version": c.version,
    }


def event_out(e: ComplaintEvent) -> dict:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "kind_label": events.kind_label(e.kind),
        "actor": ref(e.actor),
        "at": e.at,
        "data": e.data,
        "reason": e.reason,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }
