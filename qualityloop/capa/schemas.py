"""What the CAPA API reads and writes. Amounts travel as decimal strings ("1200.00", CNY)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from qualityloop.core.schemas import Day, Id, Input, Moment, Ref, Text, ref

from .choices import ActionStatus, ActionType, CostCategory, Rating, RemedyKind, RemedyStatus
from .models import (
    MONEY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Action,
    ActionEvidence,
    ActionNote,
    CostLine,
    EffectivenessCheck,
    Remedy,
)

Money = Field(ge=Decimal("0"), le=MONEY_MAX, max_digits=14, decimal_places=2)


# ---------------------------------------------------------------- inputs


class ActionIn(Input):
    """A new action for ``complaint``. Corrective and preventive actions need
    ``effectiveness_criteria``; ``department`` defaults to the owner's."""

    complaint: Id
    type: ActionType
    title: Text = Field(max_length=TITLE_MAX)
    owner: Id
    department: Id | None = None
    due_date: Day
    expected_effect: Text = Field(max_length=TEXT_MAX)
    effectiveness_criteria: Text = Field("", max_length=TEXT_MAX)
    description: Text = Field("", max_length=TEXT_MAX)


class LinkIn(Input):
    complaint: Id


class NoteIn(Input):
    text: Text = Field(max_length=TEXT_MAX)


class CompleteIn(Input):
    note: Text = Field(
        "", max_length=TEXT_MAX, description="Kept as a progress note; needed if none is on record"
    )


class CheckIn(Input):
    method: Text = Field(max_length=TEXT_MAX)
    result: Text = Field(max_length=TEXT_MAX)
    rating: Rating
    checked_at: Moment | None = Field(None, description="When the check was made; default now")


class ActionQuery(Schema):
    status: ActionStatus | None = None
    open: bool | None = Field(None, description="true: planned, in progress or reopened only")
    type: ActionType | None = None
    department: Id | None = None
    mine: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class RemedyIn(Input):
    kind: RemedyKind
    description: Text = Field(max_length=TEXT_MAX)
    amount: Decimal = Money


class ApproveIn(Input):
    note: Text = Field("", max_length=TEXT_MAX)


class RejectIn(Input):
    reason: Text = Field(max_length=TEXT_MAX)


class CostIn(Input):
    category: CostCategory
    description: Text = Field(max_length=500)
    amount: Decimal = Money
    incurred_on: Day


# ---------------------------------------------------------------- outputs


class ComplaintRef(Schema):
    id: int
    number: str
    label: str


class ActionOut(Schema):
    id: int
    number: str
    type: ActionType
    type_label: str
    title: str
    description: str
    owner: Ref
    department: Ref
    due_date: date
    overdue: bool
    expected_effect: str
    effectiveness_criteria: str
    status: ActionStatus
    status_label: str
    reopen_count: int
    created_by: Ref
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    verified_at: datetime | None
    complaints: list[ComplaintRef] = Field(description="the complaints it serves that you may see")


class ActionPage(Schema):
    items: list[ActionOut]
    count: int


class SummaryOut(Schema):
    corrective: int
    open: int
    unverified: int
    total: int


class ComplaintActionsOut(Schema):
    summary: SummaryOut
    items: list[ActionOut]


class NoteOut(Schema):
    id: int
    text: str
    author: Ref
    created_at: datetime


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: Ref
    uploaded_at: datetime


class CheckOut(Schema):
    id: int
    action: int
    method: str
    result: str
    rating: Rating
    rating_label: str
    verifier: Ref
    checked_at: datetime
    created_at: datetime
    reopened: bool = Field(description="true: the check sent the action back to work")
    action_status: ActionStatus


class RemedyOut(Schema):
    id: int
    kind: RemedyKind
    kind_label: str
    description: str
    amount: Decimal
    currency: str
    needs_approval: bool
    status: RemedyStatus
    status_label: str
    proposed_by: Ref
    proposed_at: datetime
    approved_by: Ref | None
    approved_at: datetime | None
    rejected_by: Ref | None
    rejected_at: datetime | None
    rejection_reason: str
    given_by: Ref | None
    given_at: datetime | None


class CostLineOut(Schema):
    id: int
    category: CostCategory
    category_label: str
    description: str
    amount: Decimal
    currency: str
    incurred_on: date
    created_by: Ref
    created_at: datetime


class CostsOut(Schema):
    by_category: dict[CostCategory, Decimal]
    total: Decimal
    currency: str
    lines: list[CostLineOut]


def action_out(action: Action, complaints, today: date) -> dict:
    return {
        "id": action.pk,
        "number": action.number,
        "type": action.type,
        "type_label": str(action.get_type_display()),
        "title": action.title,
        "description": action.description,
        "owner": ref(action.owner),
        "department": ref(action.department),
        "due_date": action.due_date,
        "overdue": action.is_overdue(today),
        "expected_effect": action.expected_effect,
        "effectiveness_criteria": action.effectiveness_criteria,
        "status": action.status,
        "status_label": str(action.get_status_display()),
        "reopen_count": action.reopen_count,
        "created_by": ref(action.created_by),
        "created_at": action.created_at,
        "started_at": action.started_at,
        "completed_at": action.completed_at,
        "verified_at": action.verified_at,
        "complaints": [{"id": c.pk, "number": c.number, "label": str(c)} for c in complaints],
    }


def note_out(note: ActionNote) -> dict:
    return {
        "id": note.pk,
        "text": note.text,
        "author": ref(note.author),
        "created_at": note.created_at,
    }


def evidence_out(e: ActionEvidence) -> dict:
    return {
        "id": e.pk,
        "name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "uploaded_by": ref(e.uploaded_by),
        "uploaded_at": e.uploaded_at,
    }


def check_out(c: EffectivenessCheck) -> dict:
    return {
        "id": c.pk,
        "action": c.action_id,
        "method": c.method,
        "result": c.result,
        "rating": c.rating,
        "rating_label": str(c.get_rating_display()),
        "verifier": ref(c.verifier),
        "checked_at": c.checked_at,
        "created_at": c.created_at,
        "reopened": c.reopened,
        "action_status": c.action.status,
    }


def remedy_out(r: Remedy, needs_approval: bool) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "description": r.description,
        "amount": r.amount,
        "currency": r.currency,
        "needs_approval": needs_approval,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "proposed_by": ref(r.proposed_by),
        "proposed_at": r.proposed_at,
        "approved_by": ref(r.approved_by),
        "approved_at": r.approved_at,
        "rejected_by": ref(r.rejected_by),
        "rejected_at": r.rejected_at,
        "rejection_reason": r.rejection_reason,
        "given_by": ref(r.given_by),
        "given_at": r.given_at,
    }


def cost_line_out(c: CostLine) -> dict:
    return {
        "id": c.pk,
        "category": c.category,
        "category_label": str(c.get_category_display()),
        "description": c.description,
        "amount": c.amount,
        "currency": "CNY",
        "incurred_on": c.incurred_on,
        "created_by": ref(c.created_by),
        "created_at": c.created_at,
    }
