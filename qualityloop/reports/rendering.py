"""A report as HTML (a fragment for the page, a whole document for the PDF) and as a PDF.

The page and the PDF render the same templates with the same data; only the frame and the
stylesheet differ (the page sits in the site's layout, the PDF is an A4 document).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from . import pdf
from .documents import CONTEXTS, KINDS

LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def language_from(requested: str | None) -> str:
    """The language asked for if it is one we write, else the one the reader uses now."""
    if requested in LANGUAGES:
        return requested
    current = translation.get_language() or settings.LANGUAGE_CODE
    return "en" if current.startswith("en") else "zh-hans"


def body(kind: str, complaint, language: str) -> str:
    """The report's content, in ``language``."""
    with translation.override(language):
        context = CONTEXTS[kind](complaint, language)
        return render_to_string(KINDS[kind].template, {**context, "language": language})


def document(kind: str, complaint, language: str) -> str:
    """A standalone HTML document of the report, as the PDF is made from."""
    content = body(kind, complaint, language)
    with translation.override(language):
        return render_to_string(
            "reports/document.html",
            {"kind": KINDS[kind], "complaint": complaint, "body": content, "language": language},
        )


def pdf_bytes(kind: str, complaint, language: str) -> bytes:
    return pdf.render_pdf(document(kind, complaint, language))


def filename(kind: str, complaint, language: str) -> str:
    suffix = "en" if language == "en" else "zh"
    return f"{complaint.number}-{KINDS[kind].filename}-{suffix}.pdf"
