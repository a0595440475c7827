"""The system record: security and configuration events that belong to no complaint."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """For records that are only ever added to."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only")


class SystemEvent(models.Model):
    """One entry of the system record, chained by hashes like a complaint's record.

    Written only by ``audit.record_system_event``. ``kind`` is an open set: the app that writes
    a kind registers its label (``audit.register_kinds``), so a new kind needs no migration.
    ``hash`` covers the content and ``prev_hash``; ``SystemRecordHead`` keeps the end, so a
    removed, changed or reordered event is found by ``qualityloop verify-events``.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    # PROTECT: the actor's id is part of the hash, so it may never be nulled or reassigned;
    # a person who acted on the record is deactivated, not deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("system event")
        verbose_name_plural = _("system record")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="systemevent_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("system events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("system events are append-only")


class SystemRecordHead(models.Model):
    """The system record's one head row: writers queue on its lock, verification on its end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    event_count = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"system record ends at #{self.event_count}"
