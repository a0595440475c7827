"""Errors that services raise and adapters translate into messages for the user."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the domain refuses; ``field`` names the input at fault, if one is."""

    status = 400
    code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"detail": str(self.message), "field": self.field, "code": self.code}


class ValidationFailed(DomainError):
    """Several fields at fault at once: ``errors`` maps field to messages."""

    status = 422
    code = "validation_error"

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class TransitionRefused(DomainError):
    status = 409
    code = "transition_refused"


class StaleVersion(DomainError):
    status = 409
    code = "conflict"

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "Someone else changed this complaint while you were editing it. "
                "Reload to see their changes, then apply yours again."
            ),
            field="version",
        )
        self.current_version = current_version
