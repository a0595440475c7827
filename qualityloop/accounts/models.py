from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qualityloop.core.tokens import digest_of, new_secret

from .choices import DepartmentKind, Role


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    site = models.ForeignKey(
        "catalog.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class User(AbstractUser):
    role = models.CharField(
        _("role"), max_length=30, choices=Role.choices, default=Role.DEPARTMENT_MEMBER
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language for e-mail"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("Notifications by e-mail are written in this language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    digest_of = staticmethod(digest_of)

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        raw = new_secret("ql_")
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], digest=cls.digest_of(raw))
        return token, raw
