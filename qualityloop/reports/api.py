"""The reports as PDFs in the API, mounted beside the complaints at /api/v1/complaints."""

from typing import Literal

from ninja import Router

from qualityloop.complaints import access
from qualityloop.core.schemas import READ_ERRORS

from . import rendering
from .views import pdf_response

router = Router(tags=["reports"])

Language = Literal["zh-hans", "en"]

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The report as a PDF with its Chinese font embedded.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _pdf(request, complaint_id: int, kind: str, lang: Language | None):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return pdf_response(kind, complaint, rendering.language_from(lang))


@router.get(
    "/{complaint_id}/reports/8d.pdf",
    response={200: None, **READ_ERRORS},
    summary="The 8D report (D0–D8) as PDF",
    description="`lang` chooses the language; without it, `Accept-Language` decides.",
    openapi_extra=PDF_RESPONSE,
)
def eight_d_pdf(request, complaint_id: int, lang: Language | None = None):
    return _pdf(request, complaint_id, "8d", lang)


@router.get(
    "/{complaint_id}/reports/disposal.pdf",
    response={200: None, **READ_ERRORS},
    summary="The disposal report (客户反馈质量问题处置报告) as PDF",
    description="`lang` chooses the language; without it, `Accept-Language` decides.",
    openapi_extra=PDF_RESPONSE,
)
def disposal_pdf(request, complaint_id: int, lang: Language | None = None):
    return _pdf(request, complaint_id, "disposal", lang)


@router.get(
    "/{complaint_id}/reports/rectification.pdf",
    response={200: None, **READ_ERRORS},
    summary="The rectification plan (质量问题整改措施表) as PDF",
    description="`lang` chooses the language; without it, `Accept-Language` decides.",
    openapi_extra=PDF_RESPONSE,
)
def rectification_pdf(request, complaint_id: int, lang: Language | None = None):
    return _pdf(request, complaint_id, "rectification", lang)
