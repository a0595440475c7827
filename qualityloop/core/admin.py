"""What the admin pages share, and the system record, to read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import SystemEvent


class ReadOnlyMixin:
    """Records written by the services only: the admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(audit.registered_kinds().items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(SystemEvent)
class SystemEventAdmin(ReadOnlyAdmin):
    """The system record, to read: nobody adds, changes or removes an entry here."""

    list_display = ["seq", "kind_label", "actor", "at", "object_type", "object_label"]
    list_filter = [KindFilter, "at"]
    search_fields = ["object_label", "object_id", "actor__username", "reason"]
    list_select_related = ["actor"]
    show_full_result_count = False
    fields = [
        "seq",
        "kind_label",
        "actor",
        "at",
        "object_type",
        "object_id",
        "object_label",
        "data",
        "reason",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, event):
        return audit.kind_label(event.kind)
