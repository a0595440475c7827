from django.contrib import admin

from qualityloop.core.admin import ReadOnlyAdmin

from .models import FinalAnswer, Survey


class ReadOnly(ReadOnlyAdmin):
    raw_id_fields = ["complaint"]
    show_full_result_count = False


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
