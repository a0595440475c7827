"""The investigation panel of a complaint: tests, returns, containment, scope of impact,
5-Why, fishbone and the root cause.

The complaint page loads the panel with htmx from ``panel``; the same URL without htmx is a
page of its own. Each view decides access (404 for a complaint the user may not see, 403 for
writing without the right), calls one service and renders the panel again.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityloop.complaints import attachments
from qualityloop.core.views import Region, run_service

from . import access, diagram, services
from .choices import FishboneCategory, WhyKind
from .forms import (
    PAGE_STEPS,
    ContainmentForm,
    FishboneForm,
    InspectionForm,
    ReturnedProductForm,
    ReturnedProductUpdateForm,
    RootCauseForm,
    WhyChainForm,
    cause_code_choices,
)
from .models import (
    Containment,
    FishboneCause,
    InspectionEvidence,
    InspectionRecord,
    ReturnedProduct,
    WhyChain,
)
from .queries import current_steps
from .scope import scope_of_impact

PAGE = "investigation/investigation.html"


def _chain_form(complaint, chain, data=None, code_choices=None) -> WhyChainForm:
    steps = chain.current_steps
    return WhyChainForm(
        data,
        initial=WhyChainForm.initial_of(chain, steps),
        rows=len(steps) + 1,
        editing=True,
        id_prefix=f"why-{chain.pk}",
        code_choices=code_choices,
    )


def _context(request, complaint, **overrides) -> dict:
    user = request.user
    can_write = access.can_write(user, complaint)
    inspections = list(
        InspectionRecord.objects.filter(complaint=complaint)
        .select_related("performed_by")
        .prefetch_related("evidence")
    )
    returned = list(ReturnedProduct.objects.filter(complaint=complaint))
    containments = list(
        Containment.objects.filter(complaint=complaint).select_related("verified_by", "created_by")
    )
    chains = list(
        WhyChain.objects.filter(complaint=complaint)
        .select_related("created_by")
        .prefetch_related(current_steps())
    )
    causes = diagram.fishbone_causes(complaint)
    root = access.root_cause_of(complaint)
    # Per bone: its main causes, each with its sub-causes.
    by_category = [
        (
            value,
            label,
            [
                (main, [c for c in causes if c.parent_id == main.pk])
                for main in causes
                if main.category == value and not main.parent_id
            ],
        )
        for value, label in FishboneCategory.choices
    ]

    rma_forms = overrides.pop("rma_forms", {})
    chain_forms = overrides.pop("chain_forms", {})
    codes = cause_code_choices() if can_write else []
    if can_write:
        for r in returned:
            r.form = rma_forms.get(r.pk) or ReturnedProductUpdateForm(
                initial=ReturnedProductUpdateForm.initial_of(r), id_prefix=f"rma-{r.pk}"
            )
        for chain in chains:
            chain.form = chain_forms.get(chain.pk) or _chain_form(complaint, chain, None, codes)
            chain.edit_url = reverse("investigation-why-update", args=[complaint.pk, chain.pk])
    context = {
        "complaint": complaint,
        "can_write": can_write,
        "inspections": inspections,
        "returned_products": returned,
        "containments": containments,
        "chains_by_kind": [
            (value, label, [c for c in chains if c.kind == value])
            for value, label in WhyKind.choices
        ],
        "fishbone": diagram.as_markup(
            diagram.render(
                causes, complaint.title, get_language() or "zh-hans", ident=f"-{complaint.pk}"
            )
        ),
        "fishbone_rows": by_category,
        "has_causes": bool(causes),
        "root_cause": root,
        "scope": scope_of_impact(complaint, user),
        "open_form": None,
        "open_id": None,
        "notice": None,
    }
    if can_write:
        context.update(
            inspection_form=InspectionForm(),
            rma_form=ReturnedProductForm(),
            containment_form=ContainmentForm(),
            why_form=WhyChainForm(rows=PAGE_STEPS, code_choices=codes),
            fishbone_form=FishboneForm(complaint=complaint, code_choices=codes),
            root_form=RootCauseForm(initial=RootCauseForm.initial_of(root), code_choices=codes),
        )
    context.update(overrides)
    return context


PANEL = Region(PAGE, "panel", context=_context, url_name="investigation-panel")


def _writable(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    if not access.can_write(request.user, complaint):
        raise PermissionDenied
    return complaint


@login_required
@require_GET
def panel(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    return PANEL.render(request, complaint)


@login_required
@require_GET
def fishbone(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    svg = diagram.fishbone_svg(complaint, get_language() or "zh-hans")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def evidence(request, pk):
    item = get_object_or_404(InspectionEvidence.objects.select_related("inspection"), pk=pk)
    access.get_complaint_for(request.user, item.inspection.complaint_id)
    return attachments.response(item)


@login_required
@require_POST
def add_inspection(request, pk):
    complaint = _writable(request, pk)
    form = InspectionForm(request.POST, request.FILES)
    if form.is_valid() and run_service(
        lambda: services.add_inspection(
            actor=request.user,
            complaint_id=complaint.pk,
            checked=form.cleaned_data["checked"],
            method=form.cleaned_data["method"],
            result=form.cleaned_data["result"],
            conforming=form.cleaned_data["conforming"],
            performed_at=form.cleaned_data["performed_at"],
            files=form.cleaned_data["files"],
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("Inspection recorded."))
    return PANEL.refused(request, complaint, inspection_form=form, open_form="inspection")


@login_required
@require_POST
def add_returned_product(request, pk):
    complaint = _writable(request, pk)
    form = ReturnedProductForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.add_returned_product(
            actor=request.user, complaint_id=complaint.pk, **form.cleaned_data
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("Returned product registered."))
    return PANEL.refused(request, complaint, rma_form=form, open_form="rma")


@login_required
@require_POST
def update_returned_product(request, pk, returned_id):
    complaint = _writable(request, pk)
    returned = get_object_or_404(ReturnedProduct, pk=returned_id, complaint=complaint)
    form = ReturnedProductUpdateForm(request.POST, id_prefix=f"rma-{returned.pk}")
    if form.is_valid() and run_service(
        lambda: services.update_returned_product(
            actor=request.user, returned_product_id=returned.pk, data=form.changes()
        ),
        form,
    ):
        return PANEL.done(
            request,
            complaint,
            _("Returned product %(rma)s updated.") % {"rma": returned.rma_number},
        )
    return PANEL.refused(
        request, complaint, rma_forms={returned.pk: form}, open_form="rma-edit", open_id=returned.pk
    )


@login_required
@require_POST
def add_containment(request, pk):
    complaint = _writable(request, pk)
    form = ContainmentForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.add_containment(
            actor=request.user, complaint_id=complaint.pk, **form.cleaned_data
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("Containment recorded."))
    return PANEL.refused(request, complaint, containment_form=form, open_form="containment")


@login_required
@require_POST
def verify_containment(request, pk, containment_id):
    complaint = _writable(request, pk)
    containment = get_object_or_404(Containment, pk=containment_id, complaint=complaint)
    refusal = run_service(
        lambda: services.verify_containment(actor=request.user, containment_id=containment.pk)
    ).message
    if refusal:
        return PANEL.refused(request, complaint, containment_error=(containment.pk, refusal))
    return PANEL.done(request, complaint, _("Containment verified."))


@login_required
@require_POST
def add_why_chain(request, pk):
    complaint = _writable(request, pk)
    form = WhyChainForm(request.POST, rows=PAGE_STEPS)
    if form.is_valid() and run_service(
        lambda: services.add_why_chain(
            actor=request.user,
            complaint_id=complaint.pk,
            kind=form.cleaned_data["kind"],
            problem=form.cleaned_data["problem"],
            steps=form.steps(),
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("5-Why chain recorded."))
    return PANEL.refused(request, complaint, why_form=form, open_form="why")


@login_required
@require_POST
def update_why_chain(request, pk, chain_id):
    complaint = _writable(request, pk)
    chain = get_object_or_404(
        WhyChain.objects.prefetch_related(current_steps()), pk=chain_id, complaint=complaint
    )
    form = _chain_form(complaint, chain, request.POST)
    if form.is_valid() and run_service(
        lambda: services.update_why_chain(
            actor=request.user,
            why_chain_id=chain.pk,
            problem=form.cleaned_data["problem"],
            steps=form.steps(),
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("5-Why chain updated."))
    return PANEL.refused(
        request, complaint, chain_forms={chain.pk: form}, open_form="why-edit", open_id=chain.pk
    )


@login_required
@require_POST
def add_fishbone_cause(request, pk):
    complaint = _writable(request, pk)
    form = FishboneForm(request.POST, complaint=complaint)
    if form.is_valid() and run_service(
        lambda: services.add_fishbone_cause(
            actor=request.user,
            complaint_id=complaint.pk,
            category=form.cleaned_data["category"] or None,
            text=form.cleaned_data["text"],
            parent_id=form.cleaned_data["parent"].pk if form.cleaned_data["parent"] else None,
            cause_code_id=form.cleaned_data["cause_code"],
            is_root=form.cleaned_data["is_root"],
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("Cause added to the fishbone."))
    return PANEL.refused(request, complaint, fishbone_form=form, open_form="fishbone")


def _cause(complaint, cause_id) -> FishboneCause:
    return get_object_or_404(FishboneCause, pk=cause_id, complaint=complaint)


@login_required
@require_POST
def remove_fishbone_cause(request, pk, cause_id):
    complaint = _writable(request, pk)
    cause = _cause(complaint, cause_id)
    refusal = run_service(
        lambda: services.remove_fishbone_cause(actor=request.user, fishbone_cause_id=cause.pk)
    ).message
    if refusal:
        return PANEL.refused(request, complaint, cause_error=(cause.pk, refusal))
    return PANEL.done(request, complaint, _("Cause “%(text)s” removed.") % {"text": cause.text})


@login_required
@require_POST
def mark_fishbone_root(request, pk, cause_id):
    complaint = _writable(request, pk)
    cause = _cause(complaint, cause_id)
    is_root = request.POST.get("is_root") == "1"
    refusal = run_service(
        lambda: services.set_fishbone_root(
            actor=request.user, fishbone_cause_id=cause.pk, is_root=is_root
        )
    ).message
    if refusal:
        return PANEL.refused(request, complaint, cause_error=(cause.pk, refusal))
    if is_root:
        notice = _("“%(text)s” marked as a root cause.") % {"text": cause.text}
    else:
        notice = _("“%(text)s” is no longer marked as a root cause.") % {"text": cause.text}
    return PANEL.done(request, complaint, notice)


@login_required
@require_POST
def set_root_cause(request, pk):
    complaint = _writable(request, pk)
    form = RootCauseForm(request.POST)
    if form.is_valid() and run_service(
        lambda: services.set_root_cause(
            actor=request.user,
            complaint_id=complaint.pk,
            statement=form.cleaned_data["statement"],
            cause_code_id=form.cleaned_data["cause_code"],
            responsible_department_id=_pk(form.cleaned_data["responsible_department"]),
            responsible_supplier_id=_pk(form.cleaned_data["responsible_supplier"]),
        ),
        form,
    ):
        return PANEL.done(request, complaint, _("Root cause saved."))
    return PANEL.refused(request, complaint, root_form=form, open_form="root")


def _pk(obj):
    return obj.pk if obj is not None else None
