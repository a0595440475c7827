"""What the investigation API reads and writes.

Inputs name related records by id under the field's own name (``"cause_code": 7``), as the
complaints API does; outputs give them as objects.
"""

from datetime import date, datetime

from ninja import Field, Schema

from qualityloop.core.schemas import Id, Input, Moment, Text

from .choices import ContainmentScope, Disposition, FishboneCategory, WhyKind
from .models import (
    QUANTITY_MAX,
    RMA_MAX,
    SHORT_MAX,
    STATEMENT_MAX,
    TEXT_MAX,
    CauseCode,
    Containment,
    FishboneCause,
    InspectionRecord,
    ReturnedProduct,
    RootCause,
    WhyChain,
)


class InvestigationRef(Schema):
    id: int
    label: str


class CauseCodeRef(Schema):
    id: int
    code: str
    label: str


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "label": str(obj)} if obj is not None else None


def _code(code: CauseCode | None) -> dict | None:
    if code is None:
        return None
    return {"id": code.pk, "code": code.code, "label": str(code)}


# ---------------------------------------------------------------- cause codes


class CauseCodeOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    label: str
    parent: int | None
    is_active: bool


def cause_code_out(code: CauseCode) -> dict:
    return {
        "id": code.pk,
        "code": code.code,
        "name_zh": code.name_zh,
        "name_en": code.name_en,
        "label": str(code),
        "parent": code.parent_id,
        "is_active": code.is_active,
    }


# ---------------------------------------------------------------- inspections


class InspectionIn(Input):
    """Sent as multipart form fields, beside any number of ``files``."""

    checked: Text = Field(max_length=SHORT_MAX, description="what was checked")
    method: Text = Field("", max_length=SHORT_MAX)
    result: Text = Field(max_length=TEXT_MAX)
    conforming: bool | None = Field(None, description="null: not judged")
    performed_at: Moment | None = Field(None, description="defaults to now")
    performed_by: Id | None = Field(None, description="a user id; defaults to you")


class InspectionEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download: str


class InspectionOut(Schema):
    id: int
    checked: str
    method: str
    result: str
    conforming: bool | None
    performed_by: InvestigationRef
    performed_at: datetime
    evidence: list[InspectionEvidenceOut]


def inspection_out(record: InspectionRecord) -> dict:
    base = f"/api/v1/complaints/{record.complaint_id}/inspections/{record.pk}/evidence"
    return {
        "id": record.pk,
        "checked": record.checked,
        "method": record.method,
        "result": record.result,
        "conforming": record.conforming,
        "performed_by": _ref(record.performed_by),
        "performed_at": record.performed_at,
        "evidence": [
            {
                "id": e.pk,
                "name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at,
                "download": f"{base}/{e.pk}",
            }
            for e in record.evidence.all()
        ],
    }


# ---------------------------------------------------------------- returned products


class ReturnedProductIn(Input):
    rma_number: Text = Field(max_length=RMA_MAX)
    quantity: int = Field(ge=1, le=QUANTITY_MAX)
    received_at: Moment | None = None
    analysed_at: Moment | None = None
    findings: Text = Field("", max_length=TEXT_MAX)
    disposition: Disposition = Disposition.PENDING


class ReturnedProductPatch(Input):
    """Fields to change; leave out what stays. ``null`` clears a time."""

    quantity: int | None = Field(None, ge=1, le=QUANTITY_MAX)
    received_at: Moment | None = None
    analysed_at: Moment | None = None
    findings: Text | None = Field(None, max_length=TEXT_MAX)
    disposition: Disposition | None = None


class ReturnedProductOut(Schema):
    id: int
    rma_number: str
    quantity: int
    received_at: datetime | None
    analysed_at: datetime | None
    findings: str
    disposition: str
    created_by: InvestigationRef
    created_at: datetime


def returned_product_out(r: ReturnedProduct) -> dict:
    return {
        "id": r.pk,
        "rma_number": r.rma_number,
        "quantity": r.quantity,
        "received_at": r.received_at,
        "analysed_at": r.analysed_at,
        "findings": r.findings,
        "disposition": r.disposition,
        "created_by": _ref(r.created_by),
        "created_at": r.created_at,
    }


# ---------------------------------------------------------------- containment


class ContainmentIn(Input):
    scope: ContainmentScope
    action: Text = Field(max_length=TEXT_MAX)
    quantity_checked: int = Field(0, ge=0, le=QUANTITY_MAX)
    quantity_nonconforming: int = Field(0, ge=0, le=QUANTITY_MAX)


class ContainmentOut(Schema):
    id: int
    scope: str
    action: str
    quantity_checked: int
    quantity_nonconforming: int
    created_by: InvestigationRef
    created_at: datetime
    verified_by: InvestigationRef | None
    verified_at: datetime | None


def containment_out(c: Containment) -> dict:
    return {
        "id": c.pk,
        "scope": c.scope,
        "action": c.action,
        "quantity_checked": c.quantity_checked,
        "quantity_nonconforming": c.quantity_nonconforming,
        "created_by": _ref(c.created_by),
        "created_at": c.created_at,
        "verified_by": _ref(c.verified_by),
        "verified_at": c.verified_at,
    }


# ---------------------------------------------------------------- 5-Why


class WhyStepIn(Input):
    why: Text = Field("", max_length=SHORT_MAX * 2, description="the question asked")
    because: Text = Field(max_length=TEXT_MAX, description="the answer found")
    cause_code: Id | None = None


class WhyChainIn(Input):
    kind: WhyKind
    problem: Text = Field(max_length=TEXT_MAX)
    steps: list[WhyStepIn] = Field(description="in order, from the problem down; 1 to 10")


class WhyChainPut(Input):
    """The chain's steps as they are now (they replace the earlier ones, which stay on
    record); ``problem`` too, if it changes."""

    problem: Text | None = Field(None, max_length=TEXT_MAX)
    steps: list[WhyStepIn]


class WhyStepOut(Schema):
    position: int
    why: str
    because: str
    cause_code: CauseCodeRef | None


class WhyChainOut(Schema):
    id: int
    kind: str
    problem: str
    revision: int
    created_by: InvestigationRef
    created_at: datetime
    steps: list[WhyStepOut]


def why_chain_out(chain: WhyChain) -> dict:
    return {
        "id": chain.pk,
        "kind": chain.kind,
        "problem": chain.problem,
        "revision": chain.revision,
        "created_by": _ref(chain.created_by),
        "created_at": chain.created_at,
        "steps": [
            {
                "position": s.position,
                "why": s.why,
                "because": s.because,
                "cause_code": _code(s.cause_code),
            }
            for s in chain.current_steps
        ],
    }


# ---------------------------------------------------------------- fishbone


class FishboneCauseIn(Input):
    category: FishboneCategory | None = Field(
        None, description="the bone; leave out for a sub-cause, which sits on its cause's bone"
    )
    text: Text = Field(max_length=SHORT_MAX)
    parent: Id | None = Field(None, description="the main cause this one is a sub-cause of")
    cause_code: Id | None = None
    is_root: bool = False


class FishboneCausePatch(Input):
    is_root: bool


class FishboneCauseOut(Schema):
    id: int
    category: str
    text: str
    parent: int | None
    cause_code: CauseCodeRef | None
    is_root: bool
    created_by: InvestigationRef
    created_at: datetime
    removed_at: datetime | None


class FishboneQuery(Schema):
    include_removed: bool = False


def fishbone_cause_out(c: FishboneCause) -> dict:
    return {
        "id": c.pk,
        "category": c.category,
        "text": c.text,
        "parent": c.parent_id,
        "cause_code": _code(c.cause_code),
        "is_root": c.is_root,
        "created_by": _ref(c.created_by),
        "created_at": c.created_at,
        "removed_at": c.removed_at,
    }


# ---------------------------------------------------------------- root cause


class RootCauseIn(Input):
    """At least one of ``responsible_department`` and ``responsible_supplier``."""

    statement: Text = Field(max_length=STATEMENT_MAX)
    cause_code: Id | None = None
    responsible_department: Id | None = None
    responsible_supplier: Id | None = None


class RootCauseOut(Schema):
    statement: str
    cause_code: CauseCodeRef | None
    responsible_department: InvestigationRef | None
    responsible_supplier: InvestigationRef | None
    decided_by: InvestigationRef
    decided_at: datetime


def root_cause_out(root: RootCause | None) -> dict | None:
    if root is None:
        return None
    return {
        "statement": root.statement,
        "cause_code": _code(root.cause_code),
        "responsible_department": _ref(root.responsible_department),
        "responsible_supplier": _ref(root.responsible_supplier),
        "decided_by": _ref(root.decided_by),
        "decided_at": root.decided_at,
    }


# ---------------------------------------------------------------- scope of impact


class ScopeBatchOut(Schema):
    id: int
    lot_number: str
    production_date: date
    quantity: int
    complaints: int = Field(description="complaints on this batch that you may see")


class ScopeComplaintOut(Schema):
    id: int
    number: str
    title: str
    status: str
    received_at: datetime
    customer: str


class ScopeListOut(Schema):
    total: int
    items: list[ScopeComplaintOut] = Field(description="newest first, at most 50")


class ScopeOut(Schema):
    window_days: int
    batch: ScopeBatchOut | None = Field(description="the complaint's own batch")
    batches: list[ScopeBatchOut] = Field(
        description="other batches of the product made within ±window_days of it"
    )
    same_product: ScopeListOut
    same_batch: ScopeListOut
    same_failure: ScopeListOut = Field(description="complaints in the same category")
