"""Everything that writes API tokens. The ``issue_token`` command and the admin call these.

Issuing and revoking a token are security events: each goes on the system record
(``core.audit``) in the same transaction as the change, so "who revoked this token, when" has
one answer that cannot be edited afterwards.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qualityloop.core import audit, clock
from qualityloop.core.errors import DomainError

from .models import ApiToken, User

# The kinds of system event this app writes.
ISSUED = "api_token_issued"
REVOKED = "api_token_revoked"

audit.register_kinds(
    {
        ISSUED: gettext_lazy("API token issued"),
        REVOKED: gettext_lazy("API token revoked"),
    }
)


def _token_facts(token: ApiToken) -> dict:
    return {"user": token.user.username, "name": token.name, "prefix": token.prefix}


def issue_api_token(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns it with the raw secret, which is never kept.

    ``actor`` is who issued it, or None when it was issued from the command line.
    """
    name = name.strip()
    if not user.is_active:
        raise DomainError(
            _("User “%(username)s” is inactive; a token would be refused.")
            % {"username": user.username},
            field="user",
        )
    if not name or len(name) > ApiToken._meta.get_field("name").max_length:
        raise DomainError(_("Give the token a name of 1 to 100 characters."), field="name")
    with transaction.atomic():
        token, raw = ApiToken.issue(user=user, name=name)
        audit.record_system_event(kind=ISSUED, actor=actor, obj=token, data=_token_facts(token))
    return token, raw


def revoke_api_token(*, actor: User | None, token_id: int, reason: str = "") -> bool:
    """Revoke a token at once. Returns False, and records nothing, if it was revoked already."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=token_id)
            .first()
        )
        if token is None:
            raise DomainError(_("There is no such API token."), code="not_found")
        if token.revoked_at is not None:
            return False
        token.revoked_at = clock.now()
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
        audit.record_system_event(
            kind=REVOKED,
            actor=actor,
            obj=token,
            data=_token_facts(token),
            reason=reason.strip(),
        )
    return True
