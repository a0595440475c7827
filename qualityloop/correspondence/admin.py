from django.contrib import admin

from qualityloop.core.admin import ReadOnlyAdmin

from .models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Templates are checked on save (``MessageTemplate.clean``): one that cannot render is
    refused with the error shown next to the field."""

    list_display = ["code", "language", "subject", "is_active", "updated_at"]
    list_filter = ["code", "language", "is_active"]
    search_fields = ["subject", "body"]
    fields = ["code", "language", "subject", "body", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # Services look templates up by purpose and language; an existing one keeps both.
        return ["code", "language"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The log is written by the services only; the admin may look, never touch."""

    list_display = ["complaint", "direction", "channel", "subject", "status", "created_at"]
    list_filter = ["direction", "channel", "status"]
    raw_id_fields = ["complaint"]
    show_full_result_count = False
