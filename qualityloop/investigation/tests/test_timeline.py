"""Investigation events read in words, for the lead's timeline."""

import pytest
from django.utils import translation

from qualityloop.catalog.models import Supplier
from qualityloop.core import clock
from qualityloop.investigation import services
from qualityloop.investigation.timeline import describe
from qualityloop.testing import aware

from .helpers import code, in_diagnosis, last_event, photo


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def complaint(org):
    return in_diagnosis(org)


def described(complaint):
    return describe(last_event(complaint).data)


def test_inspection(org, complaint):
    services.add_inspection(
        actor=org["qe"],
        complaint_id=complaint.pk,
        checked="外壳壁厚",
        method="卡尺",
        result="1.2 mm",
        conforming=False,
        files=[photo(), photo("b.png")],
    )
    assert described(complaint) == (
        "Inspection: 外壳壁厚",
        [
            ("Method", "卡尺"),
            ("Result", "1.2 mm"),
            ("Conforming?", "No"),
            ("Performed by", "qe"),
            ("Evidence", "外壳裂纹.png、b.png"),
        ],
        [],
    )


def test_returned_product_registered_and_updated(org, complaint):
    with clock.at(aware(2026, 3, 8, 12, 0)):
        returned = services.add_returned_product(
            actor=org["qe"], complaint_id=complaint.pk, rma_number="RMA-1", quantity=2
        )
        assert described(complaint) == (
            "Returned product RMA-1 registered",
            [("Quantity", "2"), ("Disposition", "Pending")],
            [],
        )
        services.update_returned_product(
            actor=org["qe"],
            returned_product_id=returned.pk,
            data={
                "received_at": aware(2026, 3, 7, 9, 0),
                "findings": "缩水",
                "disposition": "scrap",
            },
        )
    assert described(complaint) == (
        "Returned product RMA-1 updated",
        [],
        [
            ("Received at", "—", "2026-03-07 09:00"),
            ("Findings", "—", "缩水"),
            ("Disposition", "Pending", "Scrap"),
        ],
    )


def test_containment_and_its_verification(org, complaint):
    containment = services.add_containment(
        actor=org["qe"],
        complaint_id=complaint.pk,
        scope="in_transit",
        action="拦截在途",
        quantity_checked=30,
        quantity_nonconforming=1,
    )
    assert described(complaint) == (
        "Containment: In transit",
        [("Action", "拦截在途"), ("Quantity checked", "30"), ("Quantity nonconforming", "1")],
        [],
    )
    services.verify_containment(actor=org["qe"], containment_id=containment.pk)
    assert described(complaint) == (
        "Containment verified: In transit",
        [("Action", "拦截在途")],
        [],
    )


def test_why_chain(org, complaint):
    services.add_why_chain(
        actor=org["qe"],
        complaint_id=complaint.pk,
        kind="escape",
        problem="未检出",
        steps=[
            {"why": "为什么没检出？", "because": "抽样过松", "cause_code": code("MEAS-02").pk},
            {"why": "", "because": "方案未评审"},
        ],
    )
    assert described(complaint) == (
        "5-Why chain: Escape (流出原因)",
        [
            ("Problem", "未检出"),
            ("Why 1? 为什么没检出？", "抽样过松 [MEAS-02]"),
            ("Why 2?", "方案未评审"),
        ],
        [],
    )


def test_fishbone_and_root_cause(org, complaint):
    cause = services.add_fishbone_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        category="material",
        text="来料偏薄",
        cause_code_id=code("MAT-01").pk,
    )
    assert described(complaint) == (
        "Fishbone cause added (Material (料)): 来料偏薄",
        [("Cause code", "MAT-01")],
        [],
    )
    services.remove_fishbone_cause(actor=org["qe"], fishbone_cause_id=cause.pk)
    assert described(complaint)[0] == "Fishbone cause removed (Material (料)): 来料偏薄"

    supplier = Supplier.objects.create(code="S1", name="宁波塑胶件厂")
    services.set_root_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        statement="来料偏薄",
        responsible_department_id=org.departments["pur"].pk,
        responsible_supplier_id=supplier.pk,
    )
    assert described(complaint) == (
        "Root cause decided",
        [
            ("Root cause", "来料偏薄"),
            ("Cause code", "—"),
            ("Responsible", "Purchasing、宁波塑胶件厂"),
        ],
        [],
    )
    services.set_root_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        statement="供应商换料未通知",
        responsible_supplier_id=supplier.pk,
    )
    title, _lines, changes = described(complaint)
    assert (title, changes) == (
        "Root cause revised",
        [("Root cause", "来料偏薄", "供应商换料未通知")],
    )


def test_other_events_describe_nothing():
    assert describe({"body": "评论"}) == ("", [], [])
