"""What an investigation records: tests, returned product, containment, and the root cause.

Rows are written only by ``services``; nothing here is ever deleted. A fishbone cause that
turns out wrong is marked removed, a 5-Why chain that is edited keeps its earlier steps marked
replaced, and the complaint's timeline holds every version.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ContainmentScope, Disposition, FishboneCategory, WhyKind

SHORT_MAX = 200
TEXT_MAX = 5000
RMA_MAX = 40
STATEMENT_MAX = 5000
QUANTITY_MAX = 2_147_483_647


class CauseCode(models.Model):
    """One node of the cause taxonomy (6M heads and their causes), so causes can be trended."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cause code")
        verbose_name_plural = _("cause codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class InspectionRecord(models.Model):
    """A check or test made on the complained product, with its result and evidence."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="inspections"
    )
    checked = models.CharField(_("what was checked"), max_length=SHORT_MAX)
    method = models.CharField(_("method"), max_length=SHORT_MAX, blank=True)
    result = models.TextField(_("result"), validators=[MaxLengthValidator(TEXT_MAX)])
    conforming = models.BooleanField(_("conforming"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("performed at"))

    class Meta:
        ordering = ["performed_at", "id"]
        verbose_name = _("inspection or test")
        verbose_name_plural = _("inspections and tests")

    def __str__(self) -> str:
        return self.checked


class InspectionEvidence(models.Model):
    """A file behind an inspection record: a photo, a measurement report, a lab sheet."""

    inspection = models.ForeignKey(
        InspectionRecord, on_delete=models.PROTECT, related_name="evidence"
    )
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


class ReturnedProduct(models.Model):
    """Product the customer sent back under an RMA number, and what became of it."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="returned_products"
    )
    rma_number = models.CharField(_("RMA number"), max_length=RMA_MAX, unique=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    findings = models.TextField(
        _("findings"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, default=Disposition.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("returned product")
        verbose_name_plural = _("returned products")

    def __str__(self) -> str:
        return self.rma_number


class Containment(models.Model):
    """Suspect product held and sorted in one place, with how many were checked and failed."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="containments"
    )
    scope = models.CharField(_("where"), max_length=20, choices=ContainmentScope.choices)
    action = models.TextField(_("action"), validators=[MaxLengthValidator(TEXT_MAX)])
    quantity_checked = models.PositiveIntegerField(_("quantity checked"), default=0)
    quantity_nonconforming = models.PositiveIntegerField(_("quantity nonconforming"), default=0)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("containment")
        verbose_name_plural = _("containments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_nonconforming__lte=models.F("quantity_checked")),
                name="containment_nonconforming_le_checked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.action[:40]}"


class WhyChain(models.Model):
    """A 5-Why chain from a problem statement down to a cause: why it happened
    (occurrence) or why it was not caught (escape)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="why_chains"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WhyKind.choices)
    problem = models.TextField(_("problem"), validators=[MaxLengthValidator(TEXT_MAX)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("5-Why chain")
        verbose_name_plural = _("5-Why chains")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.problem[:40]}"


class WhyStep(models.Model):
    """One "why? because" of a chain. Steps of an earlier revision stay, marked replaced."""

    chain = models.ForeignKey(WhyChain, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), validators=[MinValueValidator(1)])
    why = models.CharField(_("why"), max_length=SHORT_MAX * 2, blank=True)
    because = models.TextField(_("because"), validators=[MaxLengthValidator(TEXT_MAX)])
    cause_code = models.ForeignKey(
        CauseCode,
        verbose_name=_("cause code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveIntegerField(default=1)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["chain", "revision", "position"]
        verbose_name = _("5-Why step")
        verbose_name_plural = _("5-Why steps")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "revision", "position"], name="whystep_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.because[:40]}"


class FishboneCause(models.Model):
    """A cause on one bone of the fishbone (人机料法环测), or a sub-cause of one."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="fishbone_causes"
    )
    category = models.CharField(_("category"), max_length=20, choices=FishboneCategory.choices)
    text = models.CharField(_("cause"), max_length=SHORT_MAX)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-cause of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    cause_code = models.ForeignKey(
        CauseCode,
        verbose_name=_("cause code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_root = models.BooleanField(_("root cause"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("fishbone cause")
        verbose_name_plural = _("fishbone causes")

    def __str__(self) -> str:
        return self.text


class RootCause(models.Model):
    """The root cause decided for a complaint, and who is responsible for it."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="root_cause"
    )
    statement = models.TextField(_("root cause"), validators=[MaxLengthValidator(STATEMENT_MAX)])
    cause_code = models.ForeignKey(
        CauseCode,
        verbose_name=_("cause code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_supplier = models.ForeignKey(
        "catalog.Supplier",
        verbose_name=_("responsible supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responsible_department__isnull=False)
                | models.Q(responsible_supplier__isnull=False),
                name="rootcause_has_responsibility",
            )
        ]

    def __str__(self) -> str:
        return self.statement[:80]
