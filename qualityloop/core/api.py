"""The one JSON shape of every API error, and the status each refusal answers with:
``{"detail": message, "field": field or null, "code": code, "errors": {field: [messages]}}``
(a conflict adds ``current_version``)."""

from .errors import DomainError, StaleVersion


def error_body(detail, *, field=None, code="invalid", errors=None, **extra) -> dict:
    return {
        "detail": str(detail),
        "field": field,
        "code": code,
        "errors": errors if errors is not None else ({field: [str(detail)]} if field else {}),
        **extra,
    }


def error_status(exc: DomainError) -> int:
    # "Not found" answers 404 alike for what does not exist and what the caller may not see.
    return 404 if exc.code == "not_found" else exc.status


def domain_error(exc: DomainError) -> tuple[int, dict]:
    """The status and body a service's refusal answers with."""
    body = exc.as_dict()
    extra = {"current_version": exc.current_version} if isinstance(exc, StaleVersion) else {}
    return error_status(exc), error_body(
        body["detail"], field=body["field"], code=body["code"], errors=body.get("errors"), **extra
    )
