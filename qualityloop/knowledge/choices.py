from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


STATUS_COLOURS = {
    EntryStatus.DRAFT: "orange",
    EntryStatus.PUBLISHED: "green",
    EntryStatus.ARCHIVED: "dark",
}


class EntryEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Edited")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")
