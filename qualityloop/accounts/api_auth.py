"""Who is calling the API: an integration with a bearer token, or a person logged in.

Integrations send ``Authorization: Bearer <token>``; only the token's SHA-256 is stored. The
logged-in session is accepted too, so the interactive docs work in a browser; it is subject
to CSRF like any form, because a browser sends the cookie on its own.
"""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from qualityloop.core import clock

from .models import ApiToken

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__department")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = clock.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class LoggedInSession(AuthBase):
    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = settings.SESSION_COOKIE_NAME
    # Read by ninja's docs page, which then sends the CSRF token with each request it makes.
    csrf = True

    def __call__(self, request):
        # A request that offers a token is judged by the token alone, never by a cookie
        # that happens to ride along.
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed. Reload the page and try again."))
        return user


bearer_token = BearerToken()
logged_in_session = LoggedInSession()
