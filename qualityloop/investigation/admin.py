from django.contrib import admin

from .models import CauseCode


@admin.register(CauseCode)
class CauseCodeAdmin(admin.ModelAdmin):
    """The cause taxonomy is master data: administrators add, rename and retire codes.
    Retire a code by unticking "active"; codes in use cannot be deleted."""

    list_display = ["code", "name_zh", "name_en", "parent", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["code"]
