from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualityloop.core import audit

from . import services
from .models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "site", "is_active"]
    list_filter = ["kind", "site", "is_active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("QualityLoop"), {"fields": ("display_name", "role", "department", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("QualityLoop"), {"fields": ("display_name", "role", "department")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with ``qualityloop issue_token``; here they can only be revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
        "system_record",
    ]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("revoked by"))
    def revoked_by(self, token):
        event = audit.events_about(token).filter(kind=services.REVOKED).first()
        if event is None:
            return "—"
        return _("%(actor)s at %(time)s") % {
            "actor": event.actor or _("the system"),
            "time": date_format(localtime(event.at), "DATETIME_FORMAT"),
        }

    @admin.display(description=_("system record"))
    def system_record(self, token):
        query = urlencode({"object_type": token._meta.label, "object_id": token.pk})
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:core_systemevent_changelist"),
            query,
            _("Events about this token"),
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = already = 0
        for token_id in queryset.values_list("pk", flat=True):
            if services.revoke_api_token(actor=request.user, token_id=token_id):
                revoked += 1
            else:
                already += 1
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "Revoked %(count)d token; it is refused from now on.",
                    "Revoked %(count)d tokens; they are refused from now on.",
                    revoked,
                )
                % {"count": revoked},
                messages.SUCCESS,
            )
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d token was revoked already; nothing changed for it.",
                    "%(count)d tokens were revoked already; nothing changed for them.",
                    already,
                )
                % {"count": already},
                messages.WARNING,
            )
