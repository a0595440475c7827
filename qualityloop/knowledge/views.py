"""The knowledge pages: search, an entry, its edit form, the complaint panel, suggestions.

Each view decides access (404 alike for a missing entry and a draft the user may not see,
403 for a visible one the user may not change), calls one service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityloop.complaints import access as complaint_access
from qualityloop.core.htmx import render_region, wants_partial
from qualityloop.core.views import REFUSED, Region, run_service

from . import access, services
from .forms import EntryForm, SearchForm
from .models import KnowledgeEntry

LIST = "knowledge/list.html"
PANEL = "knowledge/complaint.html"
DETAIL_RELATED = (
    "product",
    "category",
    "category__parent",
    "complaint",
    "created_by",
    "published_by",
)


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def entry_list(request):
    form = SearchForm(request.GET, user=request.user)
    hits = services.search(request.user, **form.search_args())
    context = {
        "form": form,
        "hits": hits,
        "limit": services.SEARCH_LIMIT,
        "can_write": access.can_write(request.user),
    }
    return render_region(request, LIST, "results", context)


def _entry(user, pk) -> KnowledgeEntry:
    return access.get_entry_for(
        user, pk, queryset=KnowledgeEntry.objects.select_related(*DETAIL_RELATED)
    )


@login_required
@require_GET
def detail(request, pk):
    user = request.user
    entry = _entry(user, pk)
    linked = entry.complaint_id in access.visible_complaint_ids(user, [entry.complaint_id])
    context = {
        "entry": entry,
        "complaint_visible": linked,
        "can_write": access.can_write(user),
        "history": entry.events.select_related("actor").order_by("-at", "-id"),
    }
    return render(request, "knowledge/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    if not access.can_write(request.user):
        raise PermissionDenied
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            lambda: services.create_entry(actor=request.user, data=form.service_data()), form
        )
        if created:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge-detail", pk=created.value.pk)
    status = REFUSED if form.errors else 200
    return render(request, "knowledge/edit.html", {"form": form, "entry": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    entry = _entry(request.user, pk)
    if not access.can_write(request.user):
        raise PermissionDenied
    form = EntryForm.for_entry(entry, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            lambda: services.update_entry(
                actor=request.user,
                entry_id=entry.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            ),
            form,
        )
        if saved:
            messages.success(request, _("Entry saved."))
            return redirect("knowledge-detail", pk=entry.pk)
    status = REFUSED if form.errors else 200
    return render(request, "knowledge/edit.html", {"form": form, "entry": entry}, status=status)


def _change_status(request, pk, service, done: str):
    entry = _entry(request.user, pk)
    if not access.can_write(request.user):
        raise PermissionDenied
    outcome = run_service(
        lambda: service(
            actor=request.user,
            entry_id=entry.pk,
            expected_version=_int(request.POST.get("version")),
        )
    )
    for message in outcome.messages:
        messages.error(request, message)
    if outcome:
        messages.success(request, done)
    return redirect("knowledge-detail", pk=entry.pk)


@login_required
@require_POST
def publish(request, pk):
    return _change_status(request, pk, services.publish_entry, _("Entry published."))


@login_required
@require_POST
def archive(request, pk):
    return _change_status(request, pk, services.archive_entry, _("Entry archived."))


# ---------------------------------------------------------------- on the complaint page


def _panel_context(request, complaint, **extra) -> dict:
    user = request.user
    entry = (
        access.visible_entries(user).filter(complaint_id=complaint.pk).first()
        if access.is_reader(user)
        else None
    )
    exists = entry is not None or KnowledgeEntry.objects.filter(complaint=complaint).exists()
    context = {
        "complaint": complaint,
        "entry": entry,
        "can_create": not exists and access.can_create_from(user, complaint),
        "can_write": access.can_write(user),
        "notice": None,
        "error": None,
        **extra,
    }
    return context


COMPLAINT_PANEL = Region(PANEL, "panel", context=_panel_context, url_name="knowledge-panel")


@login_required
@require_GET
def panel(request, pk):
    complaint = complaint_access.get_complaint_for(request.user, pk)
    return COMPLAINT_PANEL.render(request, complaint)


@login_required
@require_POST
def create_from_complaint(request, pk):
    complaint = complaint_access.get_complaint_for(request.user, pk)
    if not access.can_create_from(request.user, complaint):
        raise PermissionDenied
    created = run_service(
        lambda: services.create_from_complaint(complaint_id=complaint.pk, actor=request.user)
    )
    if not created:
        if wants_partial(request):
            return COMPLAINT_PANEL.render(request, complaint, error=created.message)
        messages.error(request, created.message)
        return redirect("knowledge-panel", pk=complaint.pk)
    entry = created.value
    if wants_partial(request):
        return COMPLAINT_PANEL.render(
            request, complaint, notice=_("Draft knowledge entry created.")
        )
    messages.success(request, _("Draft knowledge entry created."))
    return redirect("knowledge-edit", pk=entry.pk)


# ---------------------------------------------------------------- at registration


@login_required
@require_GET
def suggest(request):
    hits = services.suggest(
        request.user,
        request.GET.get("title", "")[:200],
        request.GET.get("description", "")[:2000],
        _int(request.GET.get("product")),
        category_id=_int(request.GET.get("category")),
    )
    return render(request, "knowledge/suggestions.html", {"hits": hits})
