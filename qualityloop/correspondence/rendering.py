"""Rendering message templates safely.

Templates are written by administrators and rendered as plain text (no HTML escaping) with a
sandboxed engine: a restricted set of tags and filters, no template loaders, and a context of
plain values copied from the complaint, so no template can follow a relation, call a method
or read anything it was not given.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import BODY_MAX, SUBJECT_MAX

# Complainants are told times in Beijing time, whatever the server's zone.
CUSTOMER_TIME_ZONE = ZoneInfo("Asia/Shanghai")
FALLBACK_LANGUAGE = "zh-hans"
LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


class SandboxEngine(Engine):
    default_builtins: list[str] = []


ENGINE = SandboxEngine(
    builtins=["qualityloop.correspondence.templatelib"],
    loaders=[],
    libraries={},
    autoescape=False,
    debug=False,
)


class RenderError(Exception):
    """A template that does not compile or fails while rendering; ``field`` says which."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def language_for(complaint) -> str:
    language = complaint.complainant_language
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def complaint_values(complaint, language: str) -> dict:
    """The complaint as the plain values a template may show, labels in ``language``."""
    with translation.override(language):
        return {
            "number": complaint.number,
            "title": complaint.title,
            "complainant_name": complaint.complainant_name,
            "complainant_org": complaint.complainant_org,
            "received_at": complaint.received_at,
            "status": complaint.status,
            "get_status_display": str(complaint.get_status_display()),
            "get_severity_display": str(complaint.get_severity_display()),
            "get_channel_display": str(complaint.get_channel_display()),
            "customer_answer": complaint.customer_answer,
            "customer_answered_at": complaint.customer_answered_at,
            "closed_at": complaint.closed_at,
            "product": complaint.product.name if complaint.product_id else "",
            "model_number": complaint.model_number,
            "batch": complaint.batch.lot_number if complaint.batch_id else "",
            "serial_number": complaint.serial_number,
        }


def _text(source: str, context: dict, *, field: str, language: str) -> str:
    try:
        template = ENGINE.from_string(source)
        with translation.override(language), timezone.override(CUSTOMER_TIME_ZONE):
            return template.render(Context(context, autoescape=False, use_tz=True))
    except Exception as exc:
        # Whatever an administrator saved, a bad template is a message, never a crash.
        raise RenderError(
            _("The template cannot be used: %(error)s") % {"error": exc}, field=field
        ) from exc


def render(subject: str, body: str, context: dict, *, language: str) -> tuple[str, str]:
    """The subject (one line) and the body for ``context``; raises RenderError."""
    subject_text = " ".join(_text(subject, context, field="subject", language=language).split())
    body_text = _text(body, context, field="body", language=language).strip()
    if len(subject_text) > SUBJECT_MAX:
        raise RenderError(
            _("The subject comes out longer than %(n)d characters.") % {"n": SUBJECT_MAX},
            field="subject",
        )
    if len(body_text) > BODY_MAX:
        raise RenderError(
            _("The text comes out longer than %(n)d characters.") % {"n": BODY_MAX},
            field="body",
        )
    return subject_text, body_text


def sample_context(language: str) -> dict:
    """Believable values for checking a template before it is saved."""
    received = datetime(2026, 3, 2, 9, 30, tzinfo=CUSTOMER_TIME_ZONE)
    return {
        "complaint": {
            "number": "QC-2026-000123",
            "title": "控制器外壳开裂 Cracked controller housing",
            "complainant_name": "王经理",
            "complainant_org": "华东汽车零部件有限公司",
            "received_at": received,
            "status": "diagnosis",
            "get_status_display": "Preliminary diagnosis",
            "get_severity_display": "Major (重要)",
            "get_channel_display": "E-mail",
            "customer_answer": "We will replace the three units.",
            "customer_answered_at": received + timedelta(days=1),
            "closed_at": received + timedelta(days=5),
            "product": "电机控制器",
            "model_number": "MC-200",
            "batch": "L2026-0301",
            "serial_number": "SN-0001",
        },
        "reply_by": received + timedelta(days=1),
        "stage": "Preliminary diagnosis",
        "message": "Sample text.",
    }


def check(subject: str, body: str) -> dict[str, list[str]]:
    """Errors per field for a template an administrator is about to save (empty if none)."""
    errors: dict[str, list[str]] = {}
    for field, source in (("subject", subject), ("body", body)):
        for language in sorted(LANGUAGES):
            try:
                _text(source, sample_context(language), field=field, language=language)
            except RenderError as exc:
                errors[field] = [exc.message]
                break
    return errors
