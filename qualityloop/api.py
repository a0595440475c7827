"""The REST API under /api/v1/ (django-ninja); routers live in each app's api.py.

Every error answers with one JSON shape (``core.api``), in the language the request asks for:
``{"detail": message, "field": field or null, "code": code, "errors": {field: [messages]}}``.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from qualityloop.accounts.api_auth import bearer_token, logged_in_session
from qualityloop.core import api as core_api
from qualityloop.core.api import error_body
from qualityloop.core.errors import DomainError

api = NinjaAPI(
    title="QualityLoop API",
    version="1.0.0",
    description=(
        "Customer complaints, end to end. Authenticate with `Authorization: Bearer <token>` "
        "(`manage.py issue_token USERNAME NAME`) or a logged-in session. Messages follow "
        "`Accept-Language` (zh-hans, en)."
    ),
    urls_namespace="api",
    auth=[bearer_token, logged_in_session],
)


def _respond(request, status: int, body: dict):
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _respond(request, *core_api.domain_error(exc))


def _message(error: dict) -> str:
    """A pydantic error in words the user reads, translated; pydantic's own are English."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(n)d characters.") % {"n": ctx.get("max_length", 0)}
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Enter a value of at least %(n)s.") % {"n": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Enter a value of at most %(n)s.") % {"n": limit}
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind.startswith("datetime_") or kind == "timezone_aware":
        return _("Enter a date and time like 2026-03-01T09:30:00+08:00.")
    if kind.startswith("date_"):
        return _("Enter a date like 2026-03-01.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    if kind == "extra_forbidden":
        return _("This field cannot be set.")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind.startswith("string_") or kind.endswith("_type"):
        return _("Enter a valid value.")
    return str(error.get("msg", _("Enter a valid value.")))


def _field(loc) -> str | None:
    # loc reads (source, [body parameter,] field, ...); every body parameter is "payload".
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] in ("body", "file") and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    first = None
    for error in exc.errors:
        field = _field(error.get("loc", ()))
        message = _message(error)
        if first is None:
            first = (message, field)
        if field:
            errors.setdefault(field, []).append(message)
    message, field = first or (_("Enter a valid value."), None)
    return _respond(
        request, 422, error_body(message, field=field, code="validation_error", errors=errors)
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return _respond(request, 404, error_body(_("Not found."), code="not_found"))


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    response = _respond(
        request,
        401,
        error_body(
            _("Authentication required: send a valid API token as “Authorization: Bearer …”."),
            code="not_authenticated",
        ),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = {403: "not_allowed", 404: "not_found", 429: "throttled"}.get(exc.status_code, "invalid")
    message = exc.message
    if exc.status_code == 400:
        # ninja's only 400 is an unreadable body, and its message is English only.
        message, code = _("The request body is not valid JSON."), "invalid_json"
    return _respond(request, exc.status_code, error_body(message, code=code))


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _respond(
        request,
        413,
        error_body(
            _("The request is too large; the limit is %(limit)s.") % {"limit": limit},
            code="too_large",
        ),
    )


api.add_router("/complaints", "qualityloop.complaints.api.router")
api.add_router("/complaints", "qualityloop.correspondence.api.router")
api.add_router("/complaints", "qualityloop.sla.api.router")
api.add_router("/complaints", "qualityloop.investigation.api.router")
api.add_router("/complaints", "qualityloop.reports.api.router")
api.add_router("/notifications", "qualityloop.notifications.api.router")
api.add_router("/knowledge", "qualityloop.knowledge.api.router")
api.add_router("/complaints", "qualityloop.feedback.api.router")
api.add_router("/capa", "qualityloop.capa.api.router")
