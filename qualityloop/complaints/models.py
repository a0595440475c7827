from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qualityloop.core.models import AppendOnlyQuerySet

from .choices import (
    Channel,
    ComplainantType,
    EventKind,
    Remedy,
    Scope,
    Severity,
    SeveritySource,
    TaskKind,
    TaskStatus,
    Warranty,
)
from .workflow import Status

DESCRIPTION_MAX = 20_000


class Category(models.Model):
    """One node of the editable category tree (product quality > appearance, …)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def path(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class GradingRule(models.Model):
    """An explicit rule: when every condition that is set holds, the grade is ``severity``.

    Rules are tried by ascending ``priority``; the first that matches decides and is shown
    on the complaint as the basis of its grade.
    """

    name = models.CharField(_("name"), max_length=120)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    safety_or_regulatory = models.BooleanField(
        _("safety or regulatory impact"), null=True, blank=True
    )
    min_scope = models.PositiveSmallIntegerField(
        _("scope at least"), choices=Scope.choices, null=True, blank=True
    )
    line_down = models.BooleanField(_("customer line down"), null=True, blank=True)
    claim_or_return = models.BooleanField(_("return or claim requested"), null=True, blank=True)
    repeat = models.BooleanField(_("repeat complaint"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("grading rule")
        verbose_name_plural = _("grading rules")

    def __str__(self) -> str:
        return self.name


class NumberSequence(models.Model):
    """The last number handed out per prefix and year. Numbers are never reused."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"

    @classmethod
    def take(cls, key: str) -> int:
        """The next number for ``key`` (complaints "QC-2026", actions "CA-2026", …).

        The UPDATE holds the row lock until the caller's transaction ends, so concurrent
        callers queue here and each reads its own value; a rolled-back one uses none."""
        cls.objects.bulk_create([cls(key=key, last=0)], ignore_conflicts=True)
        cls.objects.filter(key=key).update(last=models.F("last") + 1)
        return cls.objects.get(key=key).last


class Complaint(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("subject"), max_length=200)
    description = models.TextField(
        _("description"), validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )

    # Who complains.
    complainant_name = models.CharField(_("complainant"), max_length=100)
    complainant_org = models.CharField(_("organisation"), max_length=200, blank=True)
    complainant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    complainant_email = models.EmailField(_("e-mail"), blank=True)
    complainant_language = models.CharField(
        _("complainant's language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("Messages to the complainant are written in this language."),
    )
    complainant_type = models.CharField(
        _("complainant type"),
        max_length=20,
        choices=ComplainantType.choices,
        default=ComplainantType.CUSTOMER,
    )
    customer = models.ForeignKey(
        "catalog.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    # What it is about.
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    batch = models.ForeignKey(
        "catalog.Batch",
        verbose_name=_("batch / lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity affected"), null=True, blank=True)
    purchase_date = models.DateField(_("purchase or delivery date"), null=True, blank=True)
    warranty = models.CharField(
        _("warranty"), max_length=10, choices=Warranty.choices, default=Warranty.UNKNOWN
    )
    site = models.ForeignKey(
        "catalog.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    occurred_place = models.CharField(_("place"), max_length=200, blank=True)
    requested_remedy = models.CharField(
        _("remedy requested"), max_length=20, choices=Remedy.choices, blank=True
    )
    requested_remedy_detail = models.CharField(_("remedy details"), max_length=500, blank=True)
    immediate_action = models.TextField(
        _("immediate action taken"), blank=True, validators=[MaxLengthValidator(5000)]
    )

    # How it came in.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Classification and grading: the inputs, then the grade and its basis.
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    safety_or_regulatory = models.BooleanField(_("safety or regulatory impact"), default=False)
    scope = models.PositiveSmallIntegerField(_("scope"), choices=Scope.choices, default=Scope.UNIT)
    line_down = models.BooleanField(_("customer line down"), default=False)
    is_repeat = models.BooleanField(_("repeat complaint"), default=False)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MINOR
    )
    severity_source = models.CharField(
        _("grade from"),
        max_length=10,
        choices=SeveritySource.choices,
        default=SeveritySource.DEFAULT,
    )
    severity_rule = models.ForeignKey(
        GradingRule, verbose_name=_("grading rule"), null=True, blank=True, on_delete=models.PROTECT
    )
    severity_basis = models.CharField(_("basis of the grade"), max_length=300, blank=True)

    # The workflow.
    status = models.CharField(
        _("stage"), max_length=20, choices=Status.choices, default=Status.INTAKE
    )
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer_answer = models.TextField(_("answer to the complainant"), blank=True)
    customer_answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    first_contact_resolution = models.BooleanField(_("resolved at first contact"), default=False)
    acknowledgement_sent_at = models.DateTimeField(
        _("acknowledgement sent at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    waiting_since = models.DateTimeField(
        _("waiting for the complainant since"), null=True, blank=True
    )
    legal_dispute = models.BooleanField(_("legal dispute"), default=False)
    investigation_waived_at = models.DateTimeField(
        _("no investigation needed since"), null=True, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Bookkeeping: optimistic locking and the head of the event chain.
    version = models.PositiveIntegerField(default=1)
    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        # Every list filter leads an index that ends in the default sort key, so a filtered
        # page is an index range scan whatever the table size.
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="complaint_recv"),
            models.Index(fields=["status", "-received_at", "-id"], name="complaint_status_recv"),
            models.Index(fields=["severity", "-received_at", "-id"], name="complaint_sev_recv"),
            models.Index(fields=["category", "-received_at", "-id"], name="complaint_cat_recv"),
            models.Index(fields=["product", "-received_at", "-id"], name="complaint_prod_recv"),
            models.Index(fields=["customer", "-received_at", "-id"], name="complaint_cust_recv"),
            models.Index(fields=["batch", "-received_at", "-id"], name="complaint_batch_recv"),
            models.Index(
                fields=["responsible_department", "-received_at", "-id"], name="complaint_dept_recv"
            ),
            models.Index(fields=["-updated_at", "-id"], name="complaint_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("complaint-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CLOSED, Status.REJECTED)


class ComplaintSearch(models.Model):
    """Search tokens of a complaint (CJK unigrams and bigrams, Latin words).

    Kept beside the complaint, not in it, so list queries read narrow rows. The index over
    it is vendor-specific (FTS5 on SQLite, GIN on PostgreSQL): see migration 0002.
    """

    complaint = models.OneToOneField(
        Complaint, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    tokens = models.TextField()

    def __str__(self) -> str:
        return f"search tokens of {self.complaint_id}"


class StageTask(models.Model):
    """Work a department owes a complaint: one per stage, plus any extra task a lead adds."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="tasks")
    stage = models.CharField(_("stage"), max_length=20, choices=Status.choices)
    title = models.CharField(_("task"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.EXTRA
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_due"),
            models.Index(fields=["department", "status", "due_at"], name="task_dept_due"),
            models.Index(fields=["department", "complaint"], name="task_dept_complaint"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_stage_task(self) -> bool:
        return self.kind == TaskKind.STAGE

    @property
    def label(self):
        """A stage task is named by its stage, in the reader's language."""
        return Status(self.stage).label if self.is_stage_task else self.title


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ComplaintEvent(models.Model):
    """One entry of a complaint's append-only record, chained by hashes.

    ``hash`` covers this event's content and ``prev_hash``; the complaint keeps the head
    (``event_count``, ``last_event_hash``), so a removed, changed or reordered event is found
    by ``qualityloop verify-events``.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["complaint", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="event_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("complaint events are append-only")


class IdempotencyRecord(models.Model):
    """Which complaint an API request with an ``Idempotency-Key`` created, for retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Signature(models.Model):
    """An electronic signature: who, when, what it means, and a hash of what was signed.

    The signed content is kept as it was; ``signatures.is_valid`` recomputes it from the record
    as it is now, so a later change of the signed content shows the signature as void.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        "accounts.User", verbose_name=_("signer"), on_delete=models.PROTECT, related_name="+"
    )
    meaning = models.CharField(_("meaning"), max_length=20)
    subject = models.CharField(_("what was signed"), max_length=40)
    signed_at = models.DateTimeField(_("signed at"))
    content = models.JSONField(_("signed content"))
    content_hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")

    def __str__(self) -> str:
        return f"{self.signer} · {self.meaning} · {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("signatures are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("signatures are append-only")
