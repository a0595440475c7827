"""The CAPA pages: the panel on a complaint, one page per action, and the list of actions.

The complaint page loads the panel with htmx from ``panel``; the same URL without htmx is a
page of its own. Each view decides access (404 for what the user may not see, 403 for
writing without the right), calls one service and renders its region again.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityloop.accounts.choices import Role
from qualityloop.complaints import access as complaint_access
from qualityloop.complaints import attachments
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed
from qualityloop.core.htmx import render_region
from qualityloop.core.views import Region, run_service

from . import access, conf, queries, services, workflow
from .choices import OPEN_STATUSES, CostCategory
from .forms import (
    ActionFilterForm,
    CheckForm,
    CompleteForm,
    CostForm,
    EvidenceForm,
    LinkForm,
    NoteForm,
    PlanForm,
    RejectForm,
    RemedyForm,
)
from .models import Action, ActionEvidence, ActionLink, Remedy

PANEL = "capa/complaint.html"
ACTION = "capa/action.html"
LIST = "capa/actions.html"
LIST_SIZE = 50


def _today():
    return timezone.localdate(clock.now())


# ---------------------------------------------------------------- the complaint panel


def _remedy_rows(user, remedies, forms: dict) -> list[dict]:
    threshold = conf.remedy_approval_threshold()
    rows = []
    for remedy in remedies:
        decide = access.can_decide_remedy(user, remedy)
        rows.append(
            {
                "remedy": remedy,
                "needs_approval": workflow.needs_approval(remedy.amount, threshold),
                "can_decide": decide,
                "reject_form": forms.get(remedy.pk)
                or (RejectForm(auto_id=f"reject{remedy.pk}-%s") if decide else None),
                "can_give": access.can_give_remedy(user, remedy),
            }
        )
    return rows


def _panel_context(request, complaint, **overrides) -> dict:
    user = request.user
    can_plan = access.can_plan(user, complaint)
    can_propose = access.can_propose_remedy(user, complaint)
    can_cost = access.can_add_cost(user, complaint)
    by_category = queries.costs_by_category(complaint)
    reject_forms = overrides.pop("reject_forms", {})
    context = {
        "complaint": complaint,
        "today": _today(),
        "actions": list(queries.actions_for(complaint)),
        "plan_form": PlanForm() if can_plan else None,
        "remedies": _remedy_rows(user, queries.remedies_for(complaint), reject_forms),
        "remedy_form": RemedyForm() if can_propose else None,
        "threshold": conf.remedy_approval_threshold(),
        "approvers": [
            str(Role(r).label) for r in sorted(conf.remedy_approver_roles()) if r in Role.values
        ],
        "cost_lines": list(queries.cost_lines_for(complaint)),
        "cost_totals": [(CostCategory(k).label, v) for k, v in by_category.items()],
        "cost_total": sum(by_category.values(), queries.ZERO),
        "cost_form": CostForm() if can_cost else None,
        "open_form": None,
        "notice": None,
        "remedy_error": None,
    }
    context.update(overrides)
    return context


COMPLAINT_PANEL = Region(PANEL, "panel", context=_panel_context, url_name="capa-panel")


def _complaint(request, pk, allowed=None):
    complaint = access.get_complaint_for(request.user, pk)
    if allowed is not None and not allowed(request.user, complaint):
        raise PermissionDenied
    return complaint


@login_required
@require_GET
def panel(request, pk):
    return COMPLAINT_PANEL.render(request, _complaint(request, pk))


@login_required
@require_POST
def plan(request, pk):
    complaint = _complaint(request, pk, access.can_plan)
    form = PlanForm(request.POST)
    planned = form.is_valid() and run_service(
        lambda: services.plan_action(
            actor=request.user, complaint_id=complaint.pk, **form.service_inputs()
        ),
        form,
    )
    if planned:
        return COMPLAINT_PANEL.done(
            request, complaint, _("Action %(number)s planned.") % {"number": planned.value.number}
        )
    return COMPLAINT_PANEL.refused(request, complaint, plan_form=form, open_form="plan")


@login_required
@require_POST
def propose_remedy(request, pk):
    complaint = _complaint(request, pk, access.can_propose_remedy)
    form = RemedyForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.propose_remedy(
            actor=request.user,
            complaint_id=complaint.pk,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            amount=form.cleaned_data["amount"],
        ),
        form,
    ):
        return COMPLAINT_PANEL.done(request, complaint, _("Remedy proposed."))
    return COMPLAINT_PANEL.refused(request, complaint, remedy_form=form, open_form="remedy")


def _remedy(request, pk, remedy_id) -> tuple:
    complaint = _complaint(request, pk)
    remedy = get_object_or_404(Remedy, pk=remedy_id, complaint=complaint)
    return complaint, remedy


@login_required
@require_POST
def approve_remedy(request, pk, remedy_id):
    complaint, remedy = _remedy(request, pk, remedy_id)
    if not access.can_decide_remedy(request.user, remedy):
        raise PermissionDenied
    return _remedy_step(
        request,
        complaint,
        remedy,
        lambda: services.approve_remedy(actor=request.user, remedy_id=remedy.pk),
        _("Remedy approved."),
    )


@login_required
@require_POST
def reject_remedy(request, pk, remedy_id):
    complaint, remedy = _remedy(request, pk, remedy_id)
    if not access.can_decide_remedy(request.user, remedy):
        raise PermissionDenied
    form = RejectForm(request.POST, auto_id=f"reject{remedy.pk}-%s")
    if form.is_valid() and run_service(
        lambda: services.reject_remedy(
            actor=request.user, remedy_id=remedy.pk, reason=form.cleaned_data["reason"]
        ),
        form,
    ):
        return COMPLAINT_PANEL.done(request, complaint, _("Remedy refused."))
    return COMPLAINT_PANEL.refused(request, complaint, reject_forms={remedy.pk: form})


@login_required
@require_POST
def give_remedy(request, pk, remedy_id):
    complaint, remedy = _remedy(request, pk, remedy_id)
    if not access.can_give_remedy(request.user, remedy):
        raise PermissionDenied
    return _remedy_step(
        request,
        complaint,
        remedy,
        lambda: services.give_remedy(actor=request.user, remedy_id=remedy.pk),
        _("Remedy marked as given."),
    )


def _remedy_step(request, complaint, remedy, call, notice: str):
    outcome = run_service(call)
    if not outcome:
        return COMPLAINT_PANEL.refused(
            request, complaint, remedy_error=(remedy.pk, outcome.message)
        )
    return COMPLAINT_PANEL.done(request, complaint, notice)


@login_required
@require_POST
def add_cost(request, pk):
    complaint = _complaint(request, pk, access.can_add_cost)
    form = CostForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.add_cost_line(
            actor=request.user, complaint_id=complaint.pk, **form.cleaned_data
        ),
        form,
    ):
        return COMPLAINT_PANEL.done(request, complaint, _("Cost recorded."))
    return COMPLAINT_PANEL.refused(request, complaint, cost_form=form, open_form="cost")


# ---------------------------------------------------------------- one action


def _action_for(user, pk) -> Action:
    return access.get_action_for(
        user, pk, queryset=Action.objects.select_related("owner", "department", "created_by")
    )


def _action(request, pk) -> Action:
    return _action_for(request.user, pk)


def _action_context(request, action: Action, **overrides) -> dict:
    user = request.user
    visible = complaint_access.visible_complaints(user)
    links = list(
        ActionLink.objects.filter(action=action, complaint__in=visible)
        .select_related("complaint", "linked_by")
        .order_by("linked_at", "id")
    )
    hidden = action.links.count() - len(links)
    works = access.can_work_on(user, action)
    context = {
        "action": action,
        "today": _today(),
        "links": links,
        "hidden_links": hidden,
        "notes": list(action.notes.select_related("author")),
        "evidence": list(action.evidence.select_related("uploaded_by")),
        "checks": list(action.checks.select_related("verifier")),
        "can_start": works and workflow.allows("start", action.status),
        "note_form": NoteForm() if works else None,
        "evidence_form": EvidenceForm() if works else None,
        "complete_form": CompleteForm() if works else None,
        "check_form": CheckForm() if access.can_verify(user, action) else None,
        "owner_may_not_verify": access.may_verify(user)
        and user.pk == action.owner_id
        and workflow.allows("verify", action.status),
        "link_form": LinkForm() if user.role in access.PLAN else None,
        "reopen_partly": conf.reopen_on_partly_effective(),
        "open_form": None,
        "notice": None,
    }
    context.update(overrides)
    return context


ACTION_PAGE = Region(
    ACTION, "body", context=_action_context, url_name="capa-action-detail", load=_action_for
)


def _workable(request, pk) -> Action:
    action = _action(request, pk)
    if not access.can_work_on(request.user, action):
        raise PermissionDenied
    return action


@login_required
@require_GET
def action_detail(request, pk):
    return ACTION_PAGE.render(request, _action(request, pk))


@login_required
@require_POST
def start(request, pk):
    action = _workable(request, pk)
    if not workflow.allows("start", action.status):
        raise PermissionDenied
    services.start_action(actor=request.user, action_id=action.pk)
    return ACTION_PAGE.done(request, action, _("Work on the action has started."))


@login_required
@require_POST
def add_note(request, pk):
    action = _workable(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.add_note(
            actor=request.user, action_id=action.pk, text=form.cleaned_data["text"]
        ),
        form,
    ):
        return ACTION_PAGE.done(request, action, _("Progress note added."))
    return ACTION_PAGE.refused(request, action, note_form=form, open_form="note")


@login_required
@require_POST
def add_evidence(request, pk):
    action = _workable(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and run_service(
        lambda: services.add_evidence(
            actor=request.user, action_id=action.pk, upload=form.cleaned_data["file"]
        ),
        form,
    ):
        return ACTION_PAGE.done(request, action, _("Evidence uploaded."))
    return ACTION_PAGE.refused(request, action, evidence_form=form, open_form="evidence")


@login_required
@require_POST
def complete(request, pk):
    action = _workable(request, pk)
    form = CompleteForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.complete_action(
            actor=request.user, action_id=action.pk, note=form.cleaned_data["note"]
        ),
        form,
    ):
        return ACTION_PAGE.done(request, action, _("Action reported done; quality will check it."))
    return ACTION_PAGE.refused(request, action, complete_form=form, open_form="complete")


@login_required
@require_POST
def check(request, pk):
    action = _action(request, pk)
    if not access.can_verify(request.user, action):
        raise PermissionDenied
    form = CheckForm(request.POST)
    checked = form.is_valid() and run_service(
        lambda: services.check_effectiveness(
            actor=request.user, action_id=action.pk, **form.cleaned_data
        ),
        form,
    )
    if checked:
        if checked.value.reopened:
            notice = _("Not effective: the action is back with its owner.")
        else:
            notice = _("The action is verified effective.")
        return ACTION_PAGE.done(request, action, notice)
    return ACTION_PAGE.refused(request, action, check_form=form, open_form="check")


@login_required
@require_POST
def link(request, pk):
    action = _action(request, pk)
    if request.user.role not in access.PLAN:
        raise PermissionDenied
    form = LinkForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["complaint"].strip()
        try:
            target = complaint_access.get_complaint_by_number_for(request.user, number)
        except Http404:
            form.add_error(
                "complaint", _("No complaint %(number)s that you may see.") % {"number": number}
            )
        else:
            try:
                services.link_action(
                    actor=request.user, action_id=action.pk, complaint_id=target.pk
                )
            except NotAllowed:
                form.add_error(
                    "complaint",
                    _("%(number)s is closed, or you may not plan actions for it.")
                    % {"number": target.number},
                )
            except DomainError as exc:
                errors = getattr(exc, "errors", None) or {"complaint": [str(exc.message)]}
                form.add_service_errors(errors)
            else:
                return ACTION_PAGE.done(
                    request,
                    action,
                    _("The action now also serves %(number)s.") % {"number": target.number},
                )
    return ACTION_PAGE.refused(request, action, link_form=form, open_form="link")


@login_required
@require_GET
def evidence_download(request, pk, evidence_id):
    action = _action(request, pk)
    evidence = get_object_or_404(ActionEvidence, pk=evidence_id, action=action)
    return attachments.response(evidence)


# ---------------------------------------------------------------- the list of actions


def _ordered(qs, user, today):
    """My open actions first, then overdue ones, then open ones, each by due date."""
    is_open = Q(status__in=OPEN_STATUSES)
    return qs.annotate(
        mine_first=Case(
            When(is_open & Q(owner=user), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        overdue_first=Case(
            When(is_open & Q(due_date__lt=today), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        open_first=Case(
            When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("mine_first", "overdue_first", "open_first", "due_date", "id")


@login_required
@require_GET
def action_list(request):
    user = request.user
    form = ActionFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = access.visible_actions(user)
    status = data.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if data.get("type"):
        qs = qs.filter(type=data["type"])
    if data.get("department"):
        qs = qs.filter(department=data["department"])
    if data.get("mine"):
        qs = qs.filter(owner=user)
    today = _today()
    visible_links = (
        ActionLink.objects.filter(complaint__in=complaint_access.visible_complaints(user))
        .select_related("complaint")
        .order_by("linked_at", "id")
    )
    qs = (
        _ordered(qs, user, today)
        .select_related("owner", "department")
        .prefetch_related(Prefetch("links", queryset=visible_links, to_attr="visible_links"))
    )
    page = Paginator(qs, LIST_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "query": query.urlencode(),
    }
    return render_region(request, LIST, "table", context)
