"""What every API schema shares: the input base, checked text, dates and ids, the reference
and error outputs, and the error responses an endpoint documents."""

from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
BIGINT = 2**63 - 1


def _text(value: str) -> str:
    # The databases refuse NUL and lone surrogates; say so instead of failing on write.
    if "\x00" in value:
        raise ValueError(_("Text cannot contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Text must be valid Unicode.")) from None
    return value


def _day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(_("Enter a date between 1900 and 2999."))
    return value


def _moment(value: datetime) -> datetime:
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise ValueError(_("Enter a date between 1900 and 2999."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


Text = Annotated[str, AfterValidator(_text)]
Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[datetime, AfterValidator(_moment)]
Id = Annotated[int, Field(ge=1, le=BIGINT)]


def string(max_length: int, **kwargs) -> Any:
    """A text field of at most ``max_length`` characters (``Field`` arguments pass through)."""
    return Field(max_length=max_length, **kwargs)


class Input(Schema):
    """A request body: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: int
    label: str


def ref(obj) -> dict | None:
    return {"id": obj.pk, "label": str(obj)} if obj is not None else None


class ErrorOut(Schema):
    detail: str
    field: str | None
    code: str
    errors: dict[str, list[str]]
    current_version: int | None = Field(
        None, description="On a conflict (409, code “conflict”): the version now stored."
    )


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an endpoint documents, all in the one shape."""
    return dict.fromkeys(statuses, ErrorOut)


READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
