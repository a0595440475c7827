"""The report pages and their PDFs. Access is the complaint's: 404 for one the user may not see."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qualityloop.complaints import access

from . import rendering
from .documents import KINDS


def _resolve(request, pk, kind):
    if kind not in KINDS:
        raise Http404
    complaint = access.get_complaint_for(request.user, pk)
    return complaint, rendering.language_from(request.GET.get("lang"))


def pdf_response(kind: str, complaint, language: str) -> HttpResponse:
    response = HttpResponse(
        rendering.pdf_bytes(kind, complaint, language), content_type="application/pdf"
    )
    name = rendering.filename(kind, complaint, language)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_GET
def report_page(request, pk, kind):
    complaint, language = _resolve(request, pk, kind)
    # The report is rendered in its own language; the page around it stays in the user's.
    content = rendering.body(kind, complaint, language)
    return render(
        request,
        "reports/page.html",
        {
            "complaint": complaint,
            "kind": KINDS[kind],
            "kinds": KINDS.values(),
            "language": language,
            "content": content,
        },
    )


@login_required
@require_GET
def report_pdf(request, pk, kind):
    complaint, language = _resolve(request, pk, kind)
    return pdf_response(kind, complaint, language)
