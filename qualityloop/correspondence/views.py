"""The message panel of a complaint: the log, sending, recording what came in.

The complaint page loads the panel with htmx from ``panel``; the same URL without htmx is a
page of its own. Each view decides access (404 for a complaint the user may not see, 403 for
writing without the right), calls one service and renders the panel again.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityloop.core.errors import DomainError
from qualityloop.core.views import Region, run_service

from . import access, rendering, services
from .choices import DeliveryStatus
from .forms import ReceivedForm, SendForm
from .models import Message, MessageTemplate

PAGE = "correspondence/messages.html"


def _send_form(complaint, data=None, **initial) -> SendForm:
    form = SendForm(data, initial={"language": rendering.language_for(complaint), **initial})
    codes = set(MessageTemplate.objects.filter(is_active=True).values_list("code", flat=True))
    field = form.fields["template"]
    field.choices = [(v, label) for v, label in field.choices if v == "" or v in codes]
    refill = {
        "hx-get": reverse("correspondence-preview", args=[complaint.pk]),
        "hx-trigger": "change",
        "hx-target": "#send-fields",
        "hx-swap": "outerHTML",
        "hx-include": "closest form",
    }
    form.fields["template"].widget.attrs.update(refill)
    form.fields["language"].widget.attrs.update(refill)
    return form


def _context(request, complaint, **overrides) -> dict:
    can_send = access.can_send(request.user, complaint)
    log = list(Message.objects.log_of(complaint))
    resent = {m.resent_from_id for m in log if m.resent_from_id}
    context = {
        "complaint": complaint,
        "log": log,
        "resendable": {
            m.pk for m in log if m.status == DeliveryStatus.FAILED and m.pk not in resent
        }
        if can_send
        else set(),
        "can_send": can_send,
        "send_form": _send_form(complaint) if can_send else None,
        "received_form": ReceivedForm() if can_send else None,
        "open_form": None,
        "notice": None,
    }
    context.update(overrides)
    return context


PANEL = Region(PAGE, "panel", context=_context, url_name="correspondence-panel")


def _writable(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    if not access.can_send(request.user, complaint):
        raise PermissionDenied
    return complaint


@login_required
@require_GET
def panel(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    return PANEL.render(request, complaint)


@login_required
@require_GET
def preview(request, pk):
    """The subject and text fields filled from the chosen template; without one (or when it
    cannot be rendered) they keep what the agent typed."""
    complaint = _writable(request, pk)
    form = _send_form(complaint, request.GET)
    form.is_valid()
    template = form.cleaned_data.get("template")
    language = form.cleaned_data.get("language") or rendering.language_for(complaint)
    filled = _send_form(
        complaint,
        template=template or "",
        language=language,
        channel=form.cleaned_data.get("channel") or form.fields["channel"].initial,
        subject=form.cleaned_data.get("subject", ""),
        body=form.cleaned_data.get("body", ""),
    )
    error = None
    if template:
        try:
            subject, body = services.preview(
                complaint=complaint, template_code=template, language=language
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            filled.initial.update({"subject": subject, "body": body})
    return render(
        request,
        f"{PAGE}#send_fields",
        {"complaint": complaint, "send_form": filled, "preview_error": error},
    )


@login_required
@require_POST
def send(request, pk):
    complaint = _writable(request, pk)
    form = _send_form(complaint, request.POST)

    def notice(_message):
        if form.cleaned_data["channel"] == "email":
            return _("The e-mail is on its way to %(to)s.") % {"to": complaint.complainant_email}
        return _("Message logged.")

    return PANEL.submit(
        request,
        complaint,
        form,
        lambda data: services.send_message(
            actor=request.user, complaint_id=complaint.pk, **form.service_inputs()
        ),
        notice,
        send_form=form,
        open_form="send",
    )


@login_required
@require_POST
def record(request, pk):
    complaint = _writable(request, pk)
    form = ReceivedForm(request.POST)
    return PANEL.submit(
        request,
        complaint,
        form,
        lambda data: services.record_received(
            actor=request.user,
            complaint_id=complaint.pk,
            channel=data["channel"],
            body=data["body"],
            subject=data["subject"],
            occurred_at=data["occurred_at"],
            sender=data["sender"],
        ),
        _("Received message recorded."),
        received_form=form,
        open_form="received",
    )


@login_required
@require_POST
def resend(request, pk, message_id):
    complaint = _writable(request, pk)
    if not complaint.messages.filter(pk=message_id).exists():
        raise Http404
    outcome = run_service(
        lambda: services.resend_message(actor=request.user, message_id=message_id)
    )
    if not outcome:
        return PANEL.refused(request, complaint, resend_error=(int(message_id), outcome.message))
    return PANEL.done(request, complaint, _("The e-mail is being sent again."))
