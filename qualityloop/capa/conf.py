"""Settings of this app, each with its default; ``settings.py`` may set any of them."""

from decimal import Decimal

from django.conf import settings

DEFAULT_THRESHOLD = Decimal("5000")
DEFAULT_APPROVER_ROLES = ("executive",)


def remedy_approval_threshold() -> Decimal:
    """A remedy worth more than this (CNY) needs approval before it is given."""
    return Decimal(str(getattr(settings, "REMEDY_APPROVAL_THRESHOLD", DEFAULT_THRESHOLD)))


def remedy_approver_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "REMEDY_APPROVER_ROLES", DEFAULT_APPROVER_ROLES))


def reopen_on_partly_effective() -> bool:
    """Whether a check rated "partly effective" sends the action back to work."""
    return bool(getattr(settings, "CAPA_REOPEN_ON_PARTLY_EFFECTIVE", True))
