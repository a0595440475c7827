from django.contrib import admin

from .models import FinalAnswer, Survey


class ReadOnly(admin.ModelAdmin):
    """Written by the services only; the admin may look, never touch."""

    raw_id_fields = ["complaint"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FinalAnswer)
class FinalAnswerAdmin(ReadOnly):
    list_display = ["complaint", "channel", "answered_on", "author", "created_at", "superseded_at"]
    list_filter = ["channel"]


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = [
        "complaint",
        "language",
        "created_at",
        "sent_at",
        "responded_at",
        "outcome_score",
        "handling_score",
        "satisfied",
    ]
    list_filter = ["language", "satisfied"]
    exclude = ["digest", "key"]
