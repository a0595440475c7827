from django.contrib import admin

from qualityloop.core.admin import ReadOnlyAdmin

from .models import KnowledgeEntry, KnowledgeEntryEvent


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "product", "category", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["complaint"]
    exclude = ["search_tokens"]


@admin.register(KnowledgeEntryEvent)
class KnowledgeEntryEventAdmin(ReadOnlyAdmin):
    list_display = ["entry", "kind", "actor", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["entry"]
