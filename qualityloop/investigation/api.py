"""The investigation API, mounted beside the complaints API: /api/v1/complaints/{id}/….

Each endpoint resolves access first (404 alike for a missing complaint and one the user may
not see, 403 for a visible one the user may not write to), then calls one service.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from qualityloop.complaints import attachments
from qualityloop.core.errors import NotAllowed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut

from . import access, diagram, services
from .models import (
    CauseCode,
    Containment,
    FishboneCause,
    InspectionRecord,
    ReturnedProduct,
    WhyChain,
)
from .queries import current_steps
from .schemas import (
    CauseCodeOut,
    ContainmentIn,
    ContainmentOut,
    FishboneCauseIn,
    FishboneCauseOut,
    FishboneCausePatch,
    FishboneQuery,
    InspectionIn,
    InspectionOut,
    ReturnedProductIn,
    ReturnedProductOut,
    ReturnedProductPatch,
    RootCauseIn,
    RootCauseOut,
    ScopeOut,
    WhyChainIn,
    WhyChainOut,
    WhyChainPut,
    cause_code_out,
    containment_out,
    fishbone_cause_out,
    inspection_out,
    returned_product_out,
    root_cause_out,
    why_chain_out,
)
from .scope import scope_of_impact

router = Router(tags=["investigation"])

SVG = {
    "responses": {
        200: {
            "description": "The fishbone diagram",
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
        }
    }
}


def _visible(user, complaint_id):
    return access.get_complaint_for(user, complaint_id)


def _writable(user, complaint_id):
    complaint = access.get_complaint_for(user, complaint_id)
    if not access.can_write(user, complaint):
        if not complaint.is_open:
            raise NotAllowed(_("This complaint is closed; its investigation can no longer change."))
        raise NotAllowed(_("You may not change the investigation of this complaint."))
    return complaint


def _one(queryset, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


# ---------------------------------------------------------------- cause codes


@router.get(
    "/investigation/cause-codes",
    response={200: list[CauseCodeOut], 401: ErrorOut},
    summary="The cause-code taxonomy (人机料法环测, design, transport)",
)
def list_cause_codes(request):
    return [cause_code_out(c) for c in CauseCode.objects.all()]


# ---------------------------------------------------------------- inspections


def _inspections(complaint):
    return (
        InspectionRecord.objects.filter(complaint=complaint)
        .select_related("performed_by")
        .prefetch_related("evidence")
    )


@router.get(
    "/{complaint_id}/inspections",
    response={200: list[InspectionOut], **READ_ERRORS},
    summary="Inspections and tests of a complaint",
)
def list_inspections(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return [inspection_out(r) for r in _inspections(complaint)]


@router.post(
    "/{complaint_id}/inspections",
    response={201: InspectionOut, **WRITE_ERRORS},
    summary="Record an inspection or test, with evidence files (multipart)",
)
def add_inspection(
    request,
    complaint_id: int,
    payload: Form[InspectionIn],
    files: File[list[UploadedFile]] = None,
):
    user = request.auth
    complaint = _writable(user, complaint_id)
    record = services.add_inspection(
        actor=user,
        complaint_id=complaint.pk,
        checked=payload.checked,
        method=payload.method,
        result=payload.result,
        conforming=payload.conforming,
        performed_at=payload.performed_at,
        performed_by_id=payload.performed_by,
        files=files or (),
    )
    return Status(201, inspection_out(_one(_inspections(complaint), pk=record.pk)))


@router.get(
    "/{complaint_id}/inspections/{inspection_id}/evidence/{evidence_id}",
    response={200: None, **READ_ERRORS},
    summary="Download an evidence file",
)
def download_evidence(request, complaint_id: int, inspection_id: int, evidence_id: int):
    complaint = _visible(request.auth, complaint_id)
    record = _one(InspectionRecord.objects, pk=inspection_id, complaint=complaint)
    return attachments.response(_one(record.evidence, pk=evidence_id))


# ---------------------------------------------------------------- returned products


def _returned(complaint):
    return ReturnedProduct.objects.filter(complaint=complaint).select_related("created_by")


@router.get(
    "/{complaint_id}/returned-products",
    response={200: list[ReturnedProductOut], **READ_ERRORS},
    summary="Products returned under an RMA number",
)
def list_returned_products(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return [returned_product_out(r) for r in _returned(complaint)]


@router.post(
    "/{complaint_id}/returned-products",
    response={201: ReturnedProductOut, **WRITE_ERRORS},
    summary="Register a returned product",
)
def add_returned_product(request, complaint_id: int, payload: ReturnedProductIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    returned = services.add_returned_product(
        actor=user,
        complaint_id=complaint.pk,
        rma_number=payload.rma_number,
        quantity=payload.quantity,
        received_at=payload.received_at,
        analysed_at=payload.analysed_at,
        findings=payload.findings,
        disposition=payload.disposition.value,
    )
    return Status(201, returned_product_out(_one(_returned(complaint), pk=returned.pk)))


@router.patch(
    "/{complaint_id}/returned-products/{returned_id}",
    response={200: ReturnedProductOut, **WRITE_ERRORS},
    summary="Record receipt, analysis, findings or disposition of a returned product",
)
def update_returned_product(
    request, complaint_id: int, returned_id: int, payload: ReturnedProductPatch
):
    user = request.auth
    complaint = _writable(user, complaint_id)
    returned = _one(_returned(complaint), pk=returned_id)
    data = payload.model_dump(exclude_unset=True)
    if "disposition" in data and data["disposition"] is not None:
        data["disposition"] = data["disposition"].value
    for name in ("quantity", "findings", "disposition"):
        if name in data and data[name] is None:
            data.pop(name)
    services.update_returned_product(actor=user, returned_product_id=returned.pk, data=data)
    return returned_product_out(_one(_returned(complaint), pk=returned.pk))


# ---------------------------------------------------------------- containment


def _containments(complaint):
    return Containment.objects.filter(complaint=complaint).select_related(
        "created_by", "verified_by"
    )


@router.get(
    "/{complaint_id}/containments",
    response={200: list[ContainmentOut], **READ_ERRORS},
    summary="Containment actions of a complaint",
)
def list_containments(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return [containment_out(c) for c in _containments(complaint)]


@router.post(
    "/{complaint_id}/containments",
    response={201: ContainmentOut, **WRITE_ERRORS},
    summary="Record a containment action",
)
def add_containment(request, complaint_id: int, payload: ContainmentIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    containment = services.add_containment(
        actor=user,
        complaint_id=complaint.pk,
        scope=payload.scope.value,
        action=payload.action,
        quantity_checked=payload.quantity_checked,
        quantity_nonconforming=payload.quantity_nonconforming,
    )
    return Status(201, containment_out(_one(_containments(complaint), pk=containment.pk)))


@router.post(
    "/{complaint_id}/containments/{containment_id}/verify",
    response={200: ContainmentOut, **WRITE_ERRORS},
    summary="Confirm that a containment action holds",
)
def verify_containment(request, complaint_id: int, containment_id: int):
    user = request.auth
    complaint = _writable(user, complaint_id)
    containment = _one(_containments(complaint), pk=containment_id)
    services.verify_containment(actor=user, containment_id=containment.pk)
    return containment_out(_one(_containments(complaint), pk=containment.pk))


# ---------------------------------------------------------------- 5-Why


def _chains(complaint):
    return (
        WhyChain.objects.filter(complaint=complaint)
        .select_related("created_by")
        .prefetch_related(current_steps())
    )


def _steps(payload) -> list[dict]:
    return [s.model_dump() for s in payload.steps]


@router.get(
    "/{complaint_id}/why-chains",
    response={200: list[WhyChainOut], **READ_ERRORS},
    summary="5-Why chains (occurrence and escape) of a complaint",
)
def list_why_chains(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return [why_chain_out(c) for c in _chains(complaint)]


@router.post(
    "/{complaint_id}/why-chains",
    response={201: WhyChainOut, **WRITE_ERRORS},
    summary="Record a 5-Why chain",
)
def add_why_chain(request, complaint_id: int, payload: WhyChainIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    chain = services.add_why_chain(
        actor=user,
        complaint_id=complaint.pk,
        kind=payload.kind.value,
        problem=payload.problem,
        steps=_steps(payload),
    )
    return Status(201, why_chain_out(_one(_chains(complaint), pk=chain.pk)))


@router.put(
    "/{complaint_id}/why-chains/{chain_id}",
    response={200: WhyChainOut, **WRITE_ERRORS},
    summary="Replace the steps of a 5-Why chain (earlier steps stay on record)",
)
def update_why_chain(request, complaint_id: int, chain_id: int, payload: WhyChainPut):
    user = request.auth
    complaint = _writable(user, complaint_id)
    chain = _one(_chains(complaint), pk=chain_id)
    services.update_why_chain(
        actor=user, why_chain_id=chain.pk, problem=payload.problem, steps=_steps(payload)
    )
    return why_chain_out(_one(_chains(complaint), pk=chain.pk))


# ---------------------------------------------------------------- fishbone


def _causes(complaint):
    return FishboneCause.objects.filter(complaint=complaint).select_related(
        "cause_code", "created_by"
    )


@router.get(
    "/{complaint_id}/fishbone-causes",
    response={200: list[FishboneCauseOut], **READ_ERRORS},
    summary="Causes on the fishbone (人机料法环测)",
)
def list_fishbone_causes(request, complaint_id: int, query: Query[FishboneQuery]):
    complaint = _visible(request.auth, complaint_id)
    causes = _causes(complaint)
    if not query.include_removed:
        causes = causes.filter(removed_at__isnull=True)
    return [fishbone_cause_out(c) for c in causes]


@router.post(
    "/{complaint_id}/fishbone-causes",
    response={201: FishboneCauseOut, **WRITE_ERRORS},
    summary="Add a cause (or a sub-cause) to the fishbone",
)
def add_fishbone_cause(request, complaint_id: int, payload: FishboneCauseIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    cause = services.add_fishbone_cause(
        actor=user,
        complaint_id=complaint.pk,
        category=payload.category.value if payload.category else None,
        text=payload.text,
        parent_id=payload.parent,
        cause_code_id=payload.cause_code,
        is_root=payload.is_root,
    )
    return Status(201, fishbone_cause_out(_one(_causes(complaint), pk=cause.pk)))


@router.patch(
    "/{complaint_id}/fishbone-causes/{cause_id}",
    response={200: FishboneCauseOut, **WRITE_ERRORS},
    summary="Mark a cause as a root cause, or take the mark away",
)
def mark_fishbone_cause(request, complaint_id: int, cause_id: int, payload: FishboneCausePatch):
    user = request.auth
    complaint = _writable(user, complaint_id)
    cause = _one(_causes(complaint), pk=cause_id)
    services.set_fishbone_root(actor=user, fishbone_cause_id=cause.pk, is_root=payload.is_root)
    return fishbone_cause_out(_one(_causes(complaint), pk=cause.pk))


@router.delete(
    "/{complaint_id}/fishbone-causes/{cause_id}",
    response={200: FishboneCauseOut, **WRITE_ERRORS},
    summary="Take a cause (and its sub-causes) off the fishbone; it stays on record as removed",
)
def remove_fishbone_cause(request, complaint_id: int, cause_id: int):
    user = request.auth
    complaint = _writable(user, complaint_id)
    cause = _one(_causes(complaint), pk=cause_id)
    services.remove_fishbone_cause(actor=user, fishbone_cause_id=cause.pk)
    return fishbone_cause_out(_one(_causes(complaint), pk=cause.pk))


@router.get(
    "/{complaint_id}/fishbone.svg",
    response={200: None, **READ_ERRORS},
    summary="The fishbone diagram as SVG, in the language the request asks for",
    openapi_extra=SVG,
)
def fishbone_svg(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    svg = diagram.fishbone_svg(complaint, get_language() or "zh-hans")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- root cause


@router.get(
    "/{complaint_id}/root-cause",
    response={200: RootCauseOut | None, **READ_ERRORS},
    summary="The root cause decided for a complaint (null while none is)",
)
def get_root_cause(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return root_cause_out(access.root_cause_of(complaint))


@router.put(
    "/{complaint_id}/root-cause",
    response={200: RootCauseOut, **WRITE_ERRORS},
    summary="Decide or revise the root cause and who is responsible",
)
def put_root_cause(request, complaint_id: int, payload: RootCauseIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    services.set_root_cause(
        actor=user,
        complaint_id=complaint.pk,
        statement=payload.statement,
        cause_code_id=payload.cause_code,
        responsible_department_id=payload.responsible_department,
        responsible_supplier_id=payload.responsible_supplier,
    )
    return root_cause_out(access.root_cause_of(complaint))


# ---------------------------------------------------------------- scope of impact


@router.get(
    "/{complaint_id}/scope-of-impact",
    response={200: ScopeOut, **READ_ERRORS},
    summary="Is anyone else affected? Neighbouring batches and related complaints",
)
def get_scope_of_impact(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return scope_of_impact(complaint, request.auth)
