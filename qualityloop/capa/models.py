"""Actions (CAPA), their effectiveness checks, remedies for the customer and the cost of quality.

Rows here are written by ``services`` only. Nothing is ever deleted: an action that failed its
check goes back to work with the failed check kept; a remedy that was refused stays refused.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import (
    ACTION_STATUS_COLOURS,
    OPEN_STATUSES,
    RATING_COLOURS,
    REMEDY_STATUS_COLOURS,
    ActionStatus,
    ActionType,
    CostCategory,
    Rating,
    RemedyKind,
    RemedyStatus,
)

TEXT_MAX = 10_000
TITLE_MAX = 200
MONEY_DIGITS = 14
MONEY_MAX = Decimal("999999999999.99")
CURRENCY = "CNY"


class Action(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=ActionType.choices)
    title = models.CharField(_("action"), max_length=TITLE_MAX)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="capa_actions",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="capa_actions",
    )
    due_date = models.DateField(_("due date"))
    expected_effect = models.TextField(
        _("expected effect"), validators=[MaxLengthValidator(TEXT_MAX)]
    )
    effectiveness_criteria = models.TextField(
        _("effectiveness criteria"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX)],
        help_text=_(
            "How the check will tell that the action worked. Required for corrective "
            "and preventive actions."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    complaints = models.ManyToManyField(
        "complaints.Complaint", through="ActionLink", related_name="capa_actions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("planned at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["status", "due_date"], name="capa_action_status_due"),
            models.Index(fields=["owner", "status"], name="capa_action_owner"),
            models.Index(fields=["department", "status"], name="capa_action_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa-action-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_colour(self) -> str:
        return ACTION_STATUS_COLOURS.get(self.status, "grey")

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today


class ActionLink(models.Model):
    """One complaint an action serves; an action may serve several."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="links")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="capa_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "complaint"], name="capa_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action_id} → {self.complaint_id}"


class ActionNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), validators=[MaxLengthValidator(TEXT_MAX)])
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.action_id}: {self.text[:40]}"


class ActionEvidence(models.Model):
    """A file that shows what was done; stored by ``complaints.attachments``."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), validators=[MinValueValidator(1)])
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class EffectivenessCheck(models.Model):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="checks")
    method = models.TextField(_("method"), validators=[MaxLengthValidator(TEXT_MAX)])
    result = models.TextField(_("result"), validators=[MaxLengthValidator(TEXT_MAX)])
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"))
    created_at = models.DateTimeField()
    reopened = models.BooleanField(_("sent the action back to work"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")

    def __str__(self) -> str:
        return f"{self.action_id}: {self.rating}"

    @property
    def rating_colour(self) -> str:
        return RATING_COLOURS.get(self.rating, "grey")


def _money(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )


class Remedy(models.Model):
    """What the customer gets: repair, replacement, refund, compensation, an explanation."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="remedies"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RemedyKind.choices)
    description = models.TextField(_("description"), validators=[MaxLengthValidator(TEXT_MAX)])
    amount = _money(_("amount (CNY)"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=RemedyStatus.choices, default=RemedyStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for refusal"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="capa_remedy_amount_not_negative"
            )
        ]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    @property
    def status_colour(self) -> str:
        return REMEDY_STATUS_COLOURS.get(self.status, "grey")


class CostLine(models.Model):
    """One cost a complaint caused or prevented, in one of the four cost-of-quality buckets."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="cost_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=500)
    amount = _money(_("amount (CNY)"))
    incurred_on = models.DateField(_("incurred on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["incurred_on", "id"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        indexes = [models.Index(fields=["complaint", "category"], name="capa_cost_complaint")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="capa_cost_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
