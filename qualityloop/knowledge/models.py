from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qualityloop.core.models import AppendOnlyQuerySet

from .choices import STATUS_COLOURS, EntryEventKind, EntryStatus

TEXT_MAX = 20_000


class KnowledgeEntry(models.Model):
    """A solved case in words others can reuse: problem, root cause, solution, lessons.

    Most entries are drafted from a closed complaint (``complaint``); a quality engineer can
    also write one by hand. Entries are never deleted, only archived.
    """

    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_entry",
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    root_cause = models.TextField(_("root cause"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    # Lower-case, comma-separated, no spaces around commas: "外观,控制器".
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The search tokens of the text (see complaints/search.py); indexed by FTS5 on SQLite and
    # by a GIN index over a generated token array on PostgreSQL (migration 0002).
    search_tokens = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        indexes = [
            models.Index(fields=["status", "-updated_at", "-id"], name="knowledge_status_upd"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge-detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class KnowledgeEntryEvent(models.Model):
    """The history of an entry, also of one written by hand that has no complaint timeline."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EntryEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("knowledge entry events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("knowledge entry events are append-only")
