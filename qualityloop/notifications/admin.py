from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualityloop.core.admin import ReadOnlyAdmin
from qualityloop.core.errors import DomainError

from . import services
from .choices import DeliveryStatus, NotifyEvent
from .models import Delivery, Notification, WebhookEndpoint


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=NotifyEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events this endpoint receives; none chosen means all."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "secret", "events", "language", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}
        formfield_callback = _formfield


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "language", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "event",
        "safe_address",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "event", "endpoint"]
    search_fields = ["address"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry_now"]
    exclude = ["address"]
    readonly_fields = ["safe_address"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:120]

    @admin.display(description=_("address"))
    def safe_address(self, obj: Delivery) -> str:
        return obj.safe_address

    @admin.action(description=_("Retry now (failed and dead deliveries)"))
    def retry_now(self, request, queryset):
        ids = list(
            queryset.filter(status__in=[DeliveryStatus.RETRYING, DeliveryStatus.DEAD]).values_list(
                "pk", flat=True
            )
        )
        try:
            count = services.retry_deliveries(actor=request.user, delivery_ids=ids)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent again.",
                "%(count)d deliveries queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "event", "complaint", "read_at"]
    list_filter = ["event"]
    raw_id_fields = ["recipient", "complaint"]
    show_full_result_count = False
