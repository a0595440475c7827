from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryChannel, DeliveryStatus, NotifyEvent, WebhookKind


class Notification(models.Model):
    """One message in a user's notification centre. Title and body are rendered when shown,
    in the viewer's language, from ``event`` and ``data``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=30, choices=NotifyEvent.choices)
    # A notification outlives nothing it points at: the number and title travel in ``data``.
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one event on one channel; without a row the default applies
    (``choices.default_enabled``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=30, choices=NotifyEvent.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel"], name="notif_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event} {self.channel} {self.enabled}"


class WebhookEndpoint(models.Model):
    """Where notifications go besides people: a signed JSON receiver or a chat group robot."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=WebhookKind.choices, default=WebhookKind.GENERIC
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("For WeCom the key is part of this URL; for DingTalk the access token."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Signs each message. Required for generic JSON; for DingTalk and Feishu the "
            "secret of the robot's signature check, if it has one."
        ),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("The events this endpoint receives; none chosen means all."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.kind == WebhookKind.GENERIC and not self.secret:
            errors["secret"] = _("A generic endpoint needs a secret to sign its messages.")
        if not isinstance(self.events, list) or any(
            e not in NotifyEvent.values for e in self.events
        ):
            errors["events"] = _("Choose events from the list.")
        if errors:
            raise ValidationError(errors)

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class Delivery(models.Model):
    """The log of every e-mail and webhook message: what was sent where, and how it went."""

    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=500)
    event = models.CharField(_("event"), max_length=30, choices=NotifyEvent.choices)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    # What goes out, rendered when the delivery was created so every retry sends the same:
    # {"subject", "body"} for e-mail, the JSON body (before signing) for a webhook.
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.event} → {self.safe_address}"

    @property
    def safe_address(self) -> str:
        """The address without its query: robot URLs carry their key there."""
        if self.channel != DeliveryChannel.WEBHOOK:
            return self.address
        parts = urlsplit(self.address)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")
