import html

from django.core.files.uploadedfile import SimpleUploadedFile

from qualityloop.complaints.models import Category, Complaint, ComplaintEvent
from qualityloop.investigation.models import CauseCode
from qualityloop.testing import database_snapshot

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def photo(name="外壳裂纹.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def in_diagnosis(org, **data) -> Complaint:
    """A complaint technical support works on (so its people may write); production is not
    involved and does not see it."""
    data.setdefault("category_id", Category.objects.get(code="appearance").pk)
    data.setdefault("is_repeat", False)
    complaint = org.register(**data)
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")


def code(value: str) -> CauseCode:
    return CauseCode.objects.get(code=value)


def snapshot() -> dict:
    """Row counts of every domain table, this app's included, and the complaints' versions."""
    counts = database_snapshot("investigation")
    counts["versions"] = sorted(Complaint.objects.values_list("pk", "version"))
    counts["events"] = ComplaintEvent.objects.count()
    return counts


def text(response) -> str:
    return html.unescape(response.content.decode())


def last_event(complaint) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=complaint).order_by("-seq").first()


def with_records(org) -> Complaint:
    """A complaint in diagnosis with one investigation record of every kind."""
    from qualityloop.catalog.models import Supplier
    from qualityloop.investigation import services

    complaint = in_diagnosis(org)
    qe = org["qe"]
    complaint.inspection = services.add_inspection(
        actor=qe,
        complaint_id=complaint.pk,
        checked="外壳壁厚",
        method="卡尺",
        result="1.2 mm",
        conforming=False,
        files=[photo()],
    )
    complaint.returned = services.add_returned_product(
        actor=qe, complaint_id=complaint.pk, rma_number="RMA-001", quantity=3
    )
    complaint.containment = services.add_containment(
        actor=qe,
        complaint_id=complaint.pk,
        scope="in_stock",
        action="冻结库存",
        quantity_checked=100,
        quantity_nonconforming=2,
    )
    complaint.chain = services.add_why_chain(
        actor=qe,
        complaint_id=complaint.pk,
        kind="occurrence",
        problem="外壳开裂",
        steps=[{"why": "为什么开裂？", "because": "壁厚不足"}],
    )
    complaint.cause = services.add_fishbone_cause(
        actor=qe, complaint_id=complaint.pk, category="machine", text="保压参数漂移"
    )
    complaint.supplier = Supplier.objects.create(code="S01", name="宁波塑胶件厂")
    return complaint
