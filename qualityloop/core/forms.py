"""What every page form shares: taking a service's refusal, and the date and time inputs."""

from django import forms

from .errors import DomainError, ValidationFailed

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def date_widget() -> forms.DateInput:
    """The browser's own date picker; the value travels as 2026-03-01."""
    return forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT)


def datetime_widget() -> forms.DateTimeInput:
    """The browser's own date-and-time picker; the value travels as 2026-03-01T09:30."""
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def error_target(form: forms.Form, name: str) -> str | None:
    """The visible field of ``form`` that a service's ``name`` means, else None (above the
    form). Services name foreign keys as ``*_id``; the form field is the plain name. A hidden
    field (the version) cannot show an error, so its errors go above the form."""
    mapped = form.error_field(name) if hasattr(form, "error_field") else name
    for candidate in (mapped, mapped.removesuffix("_id")):
        field = form.fields.get(candidate)
        if field is not None and not field.widget.is_hidden:
            return candidate
    return None


def add_service_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put what a service refused next to the field it names, or above the form."""
    for name, messages in errors.items():
        target = error_target(form, name)
        for message in messages:
            form.add_error(target, message)


def service_errors(exc: DomainError) -> dict[str, list[str]]:
    """A refusal as field → messages: every field of a ValidationFailed, else its one message
    under the field it names (or above the form)."""
    if isinstance(exc, ValidationFailed):
        return {name: [str(m) for m in messages] for name, messages in exc.errors.items()}
    return {exc.field or "__all__": [str(exc.message)]}


class ServiceErrorsMixin:
    """For a form that shows what a service refused; ``error_field`` maps a service's field
    name to the form's where they differ."""

    def error_field(self, name: str) -> str:
        return name

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        add_service_errors(self, errors)


class ServiceForm(ServiceErrorsMixin, forms.Form):
    pass


class PageForm(ServiceForm):
    """A form among several on one page: its own element ids (``<id_prefix>-<field>``), the
    same field names."""

    id_prefix = "form"

    def __init__(self, *args, id_prefix: str | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"{id_prefix or self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
