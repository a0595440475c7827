from django.contrib import admin

from .models import KnowledgeEntry, KnowledgeEntryEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Entries change through the knowledge pages and API; the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
