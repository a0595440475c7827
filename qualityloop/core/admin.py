"""What the admin pages share."""

from django.contrib import admin


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
