from django.contrib import admin

from qualityloop.core.admin import ReadOnlyAdmin

from .models import Action, CostLine, EffectivenessCheck, Remedy


class ReadOnly(ReadOnlyAdmin):
    show_full_result_count = False


@admin.register(Action)
class ActionAdmin(ReadOnly):
    list_display = ["number", "type", "title", "owner", "department", "due_date", "status"]
    list_filter = ["type", "status", "department"]
    search_fields = ["number", "title"]


@admin.register(EffectivenessCheck)
class EffectivenessCheckAdmin(ReadOnly):
    list_display = ["action", "rating", "verifier", "checked_at"]
    list_filter = ["rating"]
    raw_id_fields = ["action"]


@admin.register(Remedy)
class RemedyAdmin(ReadOnly):
    list_display = ["complaint", "kind", "amount", "status", "proposed_by", "given_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["complaint"]


@admin.register(CostLine)
class CostLineAdmin(ReadOnly):
    list_display = ["complaint", "category", "amount", "incurred_on", "created_by"]
    list_filter = ["category"]
    raw_id_fields = ["complaint"]
