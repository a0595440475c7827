from django.contrib import admin

from qualityloop.core.admin import ReadOnlyAdmin

from .models import Category, Complaint, ComplaintEvent, GradingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "position", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name_zh", "name_en"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GradingRule)
class GradingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "name",
        "severity",
        "safety_or_regulatory",
        "min_scope",
        "line_down",
        "claim_or_return",
        "repeat",
        "is_active",
    ]
    list_display_links = ["name"]
    list_editable = ["priority", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "severity", "received_at"]
    list_filter = ["status", "severity", "channel"]
    search_fields = ["number"]
    show_full_result_count = False


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "seq", "kind", "actor", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["complaint"]
    show_full_result_count = False
