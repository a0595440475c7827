from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .choices import DELIVERY_COLOURS, DeliveryStatus, Direction, MessageChannel, TemplateCode

SUBJECT_MAX = 300
BODY_MAX = 20_000


class MessageTemplate(models.Model):
    """The text of one kind of message in one language, in Django template syntax."""

    code = models.CharField(_("purpose"), max_length=30, choices=TemplateCode.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(
        _("body"),
        validators=[MaxLengthValidator(BODY_MAX)],
        help_text=_(
            "Django template syntax. Available: {{ complaint.number }}, {{ complaint.title }}, "
            "{{ complaint.complainant_name }}, {{ complaint.complainant_org }}, "
            "{{ complaint.received_at }}, {{ complaint.get_status_display }}, "
            "{{ complaint.customer_answer }}, {{ complaint.product }}, "
            "{{ complaint.model_number }}, {{ complaint.batch }}, {{ reply_by }}, {{ stage }} "
            "and {{ message }} (the agent's free text). Format times with the date filter, "
            'e.g. {{ reply_by|date:"Y-m-d H:i" }}; they are shown in Beijing time.'
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["code", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="template_unique_code_lang")
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.get_language_display()})"

    def clean(self):
        from . import rendering  # rendering reads this module's limits

        errors = rendering.check(self.subject or "", self.body or "")
        if errors:
            raise ValidationError(errors)


class MessageQuerySet(models.QuerySet):
    def log_of(self, complaint):
        """The log of ``complaint``, newest first (received ones by when they happened)."""
        return (
            self.filter(complaint=complaint)
            .select_related("created_by")
            .order_by(Coalesce("occurred_at", "created_at").desc(), "-id")
        )


class Message(models.Model):
    """One entry of the communication log: a message to or from the complainant.

    Nobody edits an entry; only the delivery of an outgoing e-mail moves it from queued to
    sent or failed. A failed one is sent again as a new entry that points back to it.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX, blank=True)
    body = models.TextField(_("text"), blank=True)
    template_code = models.CharField(
        _("template"), max_length=30, choices=TemplateCode.choices, null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Delivery bookkeeping: when a worker last started sending, so two never send at once.
    attempted_at = models.DateTimeField(null=True, blank=True)
    # Automatic messages carry a key naming their occasion, so a task run twice sends once.
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("sent again from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resends",
    )
    email_message_id = models.CharField(max_length=255, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["complaint", "-created_at"], name="message_complaint")]

    def __str__(self) -> str:
        arrow = "→" if self.direction == Direction.OUT else "←"
        return f"{arrow} {self.subject or self.get_channel_display()}"

    @property
    def at(self):
        """When it happened: received messages by the time given, sent ones when logged."""
        return self.occurred_at or self.created_at

    @property
    def status_colour(self) -> str:
        return DELIVERY_COLOURS.get(self.status, "grey")
