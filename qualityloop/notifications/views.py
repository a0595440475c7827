"""The notification centre and the preferences page. Each view decides access, calls one
service and renders; a notification's text is rendered now, in the viewer's language."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityloop.core.htmx import render_region

from . import access, messages, services
from .forms import PreferencesForm
from .models import Notification

CENTRE = "notifications/centre.html"
PAGE_SIZE = 50


def _item(notification: Notification, language: str) -> dict:
    title, body = messages.render(notification.event, notification.data, language)
    if notification.complaint_id:
        url = reverse("complaint-detail", args=[notification.complaint_id])
    else:
        url = notification.data.get("url") or ""
    return {"notification": notification, "title": title, "body": body, "url": url}


def _centre_context(request) -> dict:
    params = request.POST if request.method == "POST" else request.GET
    only_unread = params.get("unread") == "1"
    notifications = access.own_notifications(request.user)
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(params.get("page"))
    language = get_language()
    return {
        "page": page,
        "items": [_item(n, language) for n in page],
        "only_unread": only_unread,
    }


@login_required
@require_GET
def centre(request):
    return render_region(request, CENTRE, "list", _centre_context(request))


@login_required
@require_POST
def mark_read(request, pk):
    notification = services.mark_read(actor=request.user, notification_id=pk)
    if request.htmx:
        context = {"item": _item(notification, get_language()), "oob": True}
        return render(request, f"{CENTRE}#read", context)
    return redirect("notification-centre")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(actor=request.user)
    if request.htmx:
        return render(request, f"{CENTRE}#all-read", {**_centre_context(request), "oob": True})
    flash.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("notification-centre")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    grid = access.preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, grid=grid)
        if form.is_valid():
            services.set_preferences(actor=request.user, choices=form.choices())
            flash.success(request, _("Your notification preferences are saved."))
            return redirect("notification-preferences")
    else:
        form = PreferencesForm(grid=grid)
    return render(request, "notifications/preferences.html", {"form": form})
