"""The CAPA API, mounted at /api/v1/capa: actions and their checks, and per complaint the
actions, remedies and cost lines.

Each endpoint resolves access first (404 alike for missing and not visible, 403 for what the
user may see but not do), then calls one service.
"""

from dataclasses import asdict

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from qualityloop.complaints import attachments
from qualityloop.core import clock
from qualityloop.core.errors import NotAllowed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS

from . import access, conf, queries, services, workflow
from .choices import OPEN_STATUSES
from .models import Action, ActionLink, EffectivenessCheck, Remedy
from .schemas import (
    ActionIn,
    ActionOut,
    ActionPage,
    ActionQuery,
    ApproveIn,
    CheckIn,
    CheckOut,
    ComplaintActionsOut,
    CompleteIn,
    CostIn,
    CostLineOut,
    CostsOut,
    EvidenceOut,
    LinkIn,
    NoteIn,
    NoteOut,
    RejectIn,
    RemedyIn,
    RemedyOut,
    action_out,
    check_out,
    cost_line_out,
    evidence_out,
    note_out,
    remedy_out,
)

router = Router(tags=["capa"])

ACTION_RELATED = ("owner", "department", "created_by")
REMEDY_RELATED = ("proposed_by", "approved_by", "rejected_by", "given_by")


def _today():
    return timezone.localdate(clock.now())


def _with_links(user, qs):
    """Each action with ``visible_links``: the links to complaints ``user`` may see."""
    links = (
        ActionLink.objects.filter(complaint__in=access.visible_complaints(user))
        .select_related("complaint")
        .order_by("linked_at", "id")
    )
    return qs.select_related(*ACTION_RELATED).prefetch_related(
        Prefetch("links", queryset=links, to_attr="visible_links")
    )


def _outs(user, qs) -> list[dict]:
    today = _today()
    return [
        action_out(a, [link.complaint for link in a.visible_links], today)
        for a in _with_links(user, qs)
    ]


def _action(user, action_id) -> Action:
    return access.get_action_for(user, action_id)


def _action_detail(user, action_id) -> dict:
    return _outs(user, Action.objects.filter(pk=_action(user, action_id).pk))[0]


def _workable(user, action_id) -> Action:
    action = _action(user, action_id)
    if not access.works_on(user, action):
        raise NotAllowed(_("Only the owner, the owner's department or quality may do this."))
    return action


# ---------------------------------------------------------------- actions


@router.get("/actions", response={200: ActionPage, **READ_ERRORS}, summary="List actions")
def list_actions(request, filters: Query[ActionQuery]):
    user = request.auth
    qs = access.visible_actions(user)
    if filters.status:
        qs = qs.filter(status=filters.status.value)
    if filters.open is True:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.open is False:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    if filters.type:
        qs = qs.filter(type=filters.type.value)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.mine:
        qs = qs.filter(owner=user)
    count = qs.count()
    page = qs.order_by("due_date", "id")[filters.offset : filters.offset + filters.limit]
    return {"items": _outs(user, page), "count": count}


@router.post(
    "/actions",
    response={201: ActionOut, **WRITE_ERRORS},
    summary="Plan an action for a complaint",
)
def create_action(request, payload: ActionIn):
    user = request.auth
    complaint = access.get_complaint_for(user, payload.complaint)
    if not access.can_plan(user, complaint):
        raise NotAllowed(_("You may not plan actions for this complaint."))
    action = services.plan_action(
        actor=user,
        complaint_id=complaint.pk,
        type=payload.type.value,
        title=payload.title,
        owner_id=payload.owner,
        department_id=payload.department,
        due_date=payload.due_date,
        expected_effect=payload.expected_effect,
        effectiveness_criteria=payload.effectiveness_criteria,
        description=payload.description,
    )
    return Status(201, _action_detail(user, action.pk))


@router.get("/actions/{action_id}", response={200: ActionOut, **READ_ERRORS}, summary="Read")
def read_action(request, action_id: int):
    return _action_detail(request.auth, action_id)


@router.post(
    "/actions/{action_id}/links",
    response={201: ActionOut, **WRITE_ERRORS},
    summary="Let the action serve another complaint as well",
)
def link_action(request, action_id: int, payload: LinkIn):
    user = request.auth
    action = _action(user, action_id)
    complaint = access.get_complaint_for(user, payload.complaint)
    if not access.can_link(user, complaint):
        raise NotAllowed(_("You may not link actions to this complaint."))
    services.link_action(actor=user, action_id=action.pk, complaint_id=complaint.pk)
    return Status(201, _action_detail(user, action.pk))


@router.post(
    "/actions/{action_id}/start",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Start work on a planned action",
)
def start_action(request, action_id: int):
    user = request.auth
    action = _workable(user, action_id)
    services.start_action(actor=user, action_id=action.pk)
    return _action_detail(user, action.pk)


@router.get(
    "/actions/{action_id}/notes",
    response={200: list[NoteOut], **READ_ERRORS},
    summary="Progress notes, oldest first",
)
def list_notes(request, action_id: int):
    action = _action(request.auth, action_id)
    return [note_out(n) for n in action.notes.select_related("author")]


@router.post(
    "/actions/{action_id}/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    summary="Report progress",
)
def add_note(request, action_id: int, payload: NoteIn):
    user = request.auth
    action = _workable(user, action_id)
    note = services.add_note(actor=user, action_id=action.pk, text=payload.text)
    return Status(201, note_out(note))


@router.get(
    "/actions/{action_id}/evidence",
    response={200: list[EvidenceOut], **READ_ERRORS},
    summary="Evidence files, oldest first",
)
def list_evidence(request, action_id: int):
    action = _action(request.auth, action_id)
    return [evidence_out(e) for e in action.evidence.select_related("uploaded_by")]


@router.post(
    "/actions/{action_id}/evidence",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Upload evidence (photo, report, record)",
)
def add_evidence(request, action_id: int, file: File[UploadedFile]):
    user = request.auth
    action = _workable(user, action_id)
    evidence = services.add_evidence(actor=user, action_id=action.pk, upload=file)
    return Status(201, evidence_out(evidence))


@router.get(
    "/actions/{action_id}/evidence/{evidence_id}",
    response={200: None, **READ_ERRORS},
    summary="Download evidence",
)
def download_evidence(request, action_id: int, evidence_id: int):
    action = _action(request.auth, action_id)
    evidence = action.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return attachments.response(evidence)


@router.post(
    "/actions/{action_id}/complete",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Report the action done",
    description="Needs a progress note or evidence on record; `note` adds one.",
)
def complete_action(request, action_id: int, payload: CompleteIn):
    user = request.auth
    action = _workable(user, action_id)
    services.complete_action(actor=user, action_id=action.pk, note=payload.note)
    return _action_detail(user, action.pk)


@router.get(
    "/actions/{action_id}/checks",
    response={200: list[CheckOut], **READ_ERRORS},
    summary="Effectiveness checks, oldest first",
)
def list_checks(request, action_id: int):
    action = _action(request.auth, action_id)
    checks = EffectivenessCheck.objects.filter(action=action).select_related("verifier", "action")
    return [check_out(c) for c in checks]


@router.post(
    "/actions/{action_id}/checks",
    response={201: CheckOut, **WRITE_ERRORS},
    summary="Verify the effect of a done action",
    description=(
        "Quality engineers (or heads of a quality department) only, never the action's owner. "
        "`not_effective` (and `partly_effective`, unless configured otherwise) sends the action "
        "back to `in_progress`; `effective` verifies it."
    ),
)
def check_action(request, action_id: int, payload: CheckIn):
    user = request.auth
    action = _action(user, action_id)
    if not access.may_verify(user) or user.pk == action.owner_id:
        raise NotAllowed(_("Only quality may verify the effect of an action, and not its owner."))
    check = services.check_effectiveness(
        actor=user,
        action_id=action.pk,
        method=payload.method,
        result=payload.result,
        rating=payload.rating.value,
        checked_at=payload.checked_at,
    )
    check = EffectivenessCheck.objects.select_related("verifier", "action").get(pk=check.pk)
    return Status(201, check_out(check))


# ---------------------------------------------------------------- per complaint


@router.get(
    "/complaints/{complaint_id}/actions",
    response={200: ComplaintActionsOut, **READ_ERRORS},
    summary="The complaint's actions, by due date, with a summary",
)
def complaint_actions(request, complaint_id: int):
    user = request.auth
    complaint = access.get_complaint_for(user, complaint_id)
    summary = queries.action_summary(complaint)
    return {
        "summary": asdict(summary),
        "items": _outs(user, queries.actions_for(complaint)),
    }


def _remedy_outs(complaint) -> list[dict]:
    threshold = conf.remedy_approval_threshold()
    return [
        remedy_out(r, workflow.needs_approval(r.amount, threshold))
        for r in queries.remedies_for(complaint)
    ]


def _remedy(user, complaint_id, remedy_id) -> tuple:
    complaint = access.get_complaint_for(user, complaint_id)
    remedy = Remedy.objects.filter(pk=remedy_id, complaint=complaint).first()
    if remedy is None:
        raise Http404
    return complaint, remedy


def _remedy_detail(remedy_id) -> dict:
    remedy = Remedy.objects.select_related(*REMEDY_RELATED).get(pk=remedy_id)
    threshold = conf.remedy_approval_threshold()
    return remedy_out(remedy, workflow.needs_approval(remedy.amount, threshold))


@router.get(
    "/complaints/{complaint_id}/remedies",
    response={200: list[RemedyOut], **READ_ERRORS},
    summary="Remedies for the customer",
)
def list_remedies(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return _remedy_outs(complaint)


@router.post(
    "/complaints/{complaint_id}/remedies",
    response={201: RemedyOut, **WRITE_ERRORS},
    summary="Propose a remedy",
    description=(
        "An `amount` (CNY) above the approval threshold (setting `REMEDY_APPROVAL_THRESHOLD`, "
        "default 5000) must be approved before it can be given."
    ),
)
def propose_remedy(request, complaint_id: int, payload: RemedyIn):
    user = request.auth
    complaint = access.get_complaint_for(user, complaint_id)
    if not access.can_propose_remedy(user, complaint):
        raise NotAllowed(_("You may not propose remedies for this complaint."))
    remedy = services.propose_remedy(
        actor=user,
        complaint_id=complaint.pk,
        kind=payload.kind.value,
        description=payload.description,
        amount=payload.amount,
    )
    return Status(201, _remedy_detail(remedy.pk))


@router.post(
    "/complaints/{complaint_id}/remedies/{remedy_id}/approve",
    response={200: RemedyOut, **WRITE_ERRORS},
    summary="Approve a proposed remedy",
)
def approve_remedy(request, complaint_id: int, remedy_id: int, payload: ApproveIn):
    user = request.auth
    _complaint, remedy = _remedy(user, complaint_id, remedy_id)
    services.approve_remedy(actor=user, remedy_id=remedy.pk, note=payload.note)
    return _remedy_detail(remedy.pk)


@router.post(
    "/complaints/{complaint_id}/remedies/{remedy_id}/reject",
    response={200: RemedyOut, **WRITE_ERRORS},
    summary="Refuse a proposed remedy",
)
def reject_remedy(request, complaint_id: int, remedy_id: int, payload: RejectIn):
    user = request.auth
    _complaint, remedy = _remedy(user, complaint_id, remedy_id)
    services.reject_remedy(actor=user, remedy_id=remedy.pk, reason=payload.reason)
    return _remedy_detail(remedy.pk)


@router.post(
    "/complaints/{complaint_id}/remedies/{remedy_id}/give",
    response={200: RemedyOut, **WRITE_ERRORS},
    summary="Mark a remedy given to the customer",
    description="Above the approval threshold only once approved (409 `needs_approval`).",
)
def give_remedy(request, complaint_id: int, remedy_id: int):
    user = request.auth
    _complaint, remedy = _remedy(user, complaint_id, remedy_id)
    services.give_remedy(actor=user, remedy_id=remedy.pk)
    return _remedy_detail(remedy.pk)


@router.get(
    "/complaints/{complaint_id}/costs",
    response={200: CostsOut, **READ_ERRORS},
    summary="Cost of quality: totals per category and the lines",
)
def list_costs(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return {
        "by_category": queries.costs_by_category(complaint),
        "total": queries.total_cost(complaint),
        "currency": "CNY",
        "lines": [cost_line_out(c) for c in queries.cost_lines_for(complaint)],
    }


@router.post(
    "/complaints/{complaint_id}/costs",
    response={201: CostLineOut, **WRITE_ERRORS},
    summary="Record a cost",
)
def add_cost(request, complaint_id: int, payload: CostIn):
    user = request.auth
    complaint = access.get_complaint_for(user, complaint_id)
    if not access.can_add_cost(user, complaint):
        raise NotAllowed(_("You may not record costs for this complaint."))
    line = services.add_cost_line(
        actor=user,
        complaint_id=complaint.pk,
        category=payload.category.value,
        description=payload.description,
        amount=payload.amount,
        incurred_on=payload.incurred_on,
    )
    return Status(201, cost_line_out(line))
