"""The investigation services: what they write, what they put on the timeline, what they refuse."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from qualityloop.catalog.models import Supplier
from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint, ComplaintEvent
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.investigation import access, services
from qualityloop.investigation.defaults import ensure_defaults
from qualityloop.investigation.models import (
    CauseCode,
    Containment,
    FishboneCause,
    InspectionEvidence,
    ReturnedProduct,
    RootCause,
    WhyStep,
)
from qualityloop.testing import aware

from .helpers import PNG, code, in_diagnosis, last_event, photo, snapshot

T = aware(2026, 3, 5, 10, 0)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def complaint(org):
    with clock.at(T - timedelta(days=1)):
        return in_diagnosis(org)


def refused(call) -> dict:
    """The errors a service answers with; nothing may have been written."""
    before = snapshot()
    with pytest.raises(ValidationFailed) as info:
        call()
    assert snapshot() == before
    return info.value.errors


def stored_files() -> list[Path]:
    root = Path(settings.ATTACHMENT_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---------------------------------------------------------------- cause codes


def test_the_seeded_taxonomy_has_the_6m_heads_plus_design_and_transport(db):
    heads = CauseCode.objects.filter(parent__isnull=True).order_by("code")
    assert [(c.code, c.name_zh, c.name_en) for c in heads] == [
        ("DES", "设计", "Design"),
        ("ENV", "环", "Environment"),
        ("MACH", "机", "Machine"),
        ("MAN", "人", "Man"),
        ("MAT", "料", "Material"),
        ("MEAS", "测", "Measurement"),
        ("METH", "法", "Method"),
        ("TRANS", "运输", "Transport"),
    ]
    assert [c.name_en for c in CauseCode.objects.filter(parent__code="MAN")] == [
        "Training or skill",
        "Operation error",
        "Fatigue",
    ]
    assert [c.name_en for c in CauseCode.objects.filter(parent__code="MEAS")] == [
        "Gauge error",
        "Sampling plan",
        "Inspection skipped",
    ]
    assert CauseCode.objects.count() == 32
    assert CauseCode.objects.filter(parent__isnull=False, children__isnull=False).count() == 0


def test_ensure_defaults_puts_back_what_is_missing_and_keeps_edits(db):
    CauseCode.objects.filter(code="MAN-03").delete()
    CauseCode.objects.filter(code="MAN-01").update(name_en="Training")
    ensure_defaults()
    ensure_defaults()
    assert CauseCode.objects.count() == 32
    assert code("MAN-03").parent == code("MAN")
    assert code("MAN-01").name_en == "Training"


def test_a_cause_code_reads_in_the_active_language(db):
    assert str(code("MAT-01")) == "MAT-01 Supplier defect"
    with translation.override("zh-hans"):
        assert str(code("MAT-01")) == "MAT-01 供应商来料缺陷"


# ---------------------------------------------------------------- inspections


def test_add_inspection_stores_the_files_and_writes_an_event(org, complaint):
    version = complaint.version
    with clock.at(T):
        record = services.add_inspection(
            actor=org["qe"],
            complaint_id=complaint.pk,
            checked="  外壳壁厚  ",
            method="卡尺测量",
            result="壁厚 1.2 mm，图纸要求 1.5 mm",
            conforming=False,
            files=[photo(), photo("报告.png")],
        )

    assert (record.checked, record.method, record.conforming) == ("外壳壁厚", "卡尺测量", False)
    assert (record.performed_by, record.performed_at) == (org["qe"], T)
    first, second = record.evidence.all()
    digest = hashlib.sha256(PNG).hexdigest()
    assert (first.original_name, first.content_type, first.size, first.sha256) == (
        "外壳裂纹.png",
        "image/png",
        len(PNG),
        digest,
    )
    assert second.original_name == "报告.png"
    assert [p.read_bytes() for p in stored_files()] == [PNG, PNG]

    event = last_event(complaint)
    assert (event.kind, event.actor) == ("investigation", org["qe"])
    assert event.data == {
        "record": "inspection",
        "action": "added",
        "inspection": record.pk,
        "checked": "外壳壁厚",
        "method": "卡尺测量",
        "result": "壁厚 1.2 mm，图纸要求 1.5 mm",
        "conforming": False,
        "performed_by": org["qe"].pk,
        "performed_by_label": "qe",
        "performed_at": "2026-03-05T10:00:00+08:00",
        "files": [
            {"name": "外壳裂纹.png", "size": len(PNG), "sha256": digest},
            {"name": "报告.png", "size": len(PNG), "sha256": digest},
        ],
    }
    complaint.refresh_from_db()
    assert complaint.version == version + 1
    assert verify_chain()[1] == []


def test_add_inspection_names_every_field_at_fault(org, complaint):
    errors = refused(
        lambda: services.add_inspection(
            actor=org["qe"],
            complaint_id=complaint.pk,
            checked="",
            method="m" * 201,
            result="  ",
            performed_at=clock.now() + timedelta(hours=1),
            performed_by_id=999_999,
            files=[photo()],
        )
    )
    assert errors == {
        "checked": ["This field is required."],
        "method": ["At most 200 characters."],
        "result": ["This field is required."],
        "performed_at": ["This time cannot be in the future."],
        "performed_by": ["Choose an active user."],
    }
    assert stored_files() == []


def test_a_refused_file_keeps_the_others_off_the_disk(org, complaint):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    errors = refused(
        lambda: services.add_inspection(
            actor=org["qe"],
            complaint_id=complaint.pk,
            checked="外观",
            result="裂纹",
            files=[photo(), bad],
        )
    )
    assert list(errors) == ["files"]
    assert errors["files"][0].startswith("Files of type “.exe” are not accepted.")
    assert stored_files() == []


def test_the_inspection_can_name_who_performed_it(org, complaint):
    record = services.add_inspection(
        actor=org["qe"],
        complaint_id=complaint.pk,
        checked="功能测试",
        result="通过",
        conforming=True,
        performed_by_id=org["ts_member"].pk,
    )
    assert record.performed_by == org["ts_member"]
    assert last_event(complaint).data["performed_by_label"] == "ts_member"


# ---------------------------------------------------------------- returned products


def test_add_returned_product_and_update_it(org, complaint):
    with clock.at(T):
        returned = services.add_returned_product(
            actor=org["ts_member"],
            complaint_id=complaint.pk,
            rma_number=" RMA-2026-001 ",
            quantity=3,
        )
    assert (returned.rma_number, returned.quantity, returned.disposition) == (
        "RMA-2026-001",
        3,
        "pending",
    )
    assert last_event(complaint).data == {
        "record": "returned_product",
        "action": "added",
        "returned_product": returned.pk,
        "rma_number": "RMA-2026-001",
        "quantity": 3,
        "received_at": None,
        "analysed_at": None,
        "findings": "",
        "disposition": "pending",
    }

    received, analysed = aware(2026, 3, 6, 9, 0), aware(2026, 3, 7, 15, 30)
    with clock.at(T + timedelta(days=3)):
        services.update_returned_product(
            actor=org["qe"],
            returned_product_id=returned.pk,
            data={
                "received_at": received,
                "analysed_at": analysed,
                "findings": "注塑件缩水，壁厚不足",
                "disposition": "scrap",
            },
        )
    returned.refresh_from_db()
    assert (returned.received_at, returned.analysed_at, returned.disposition) == (
        received,
        analysed,
        "scrap",
    )
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("investigation", org["qe"])
    assert event.data == {
        "record": "returned_product",
        "action": "changed",
        "returned_product": returned.pk,
        "rma_number": "RMA-2026-001",
        "changes": [
            {"field": "received_at", "before": None, "after": "2026-03-06T09:00:00+08:00"},
            {"field": "analysed_at", "before": None, "after": "2026-03-07T15:30:00+08:00"},
            {"field": "findings", "before": "", "after": "注塑件缩水，壁厚不足"},
            {"field": "disposition", "before": "pending", "after": "scrap"},
        ],
    }


def test_an_update_that_changes_nothing_writes_nothing(org, complaint):
    returned = services.add_returned_product(
        actor=org["qe"], complaint_id=complaint.pk, rma_number="RMA-1", quantity=2
    )
    before = snapshot()
    services.update_returned_product(
        actor=org["qe"], returned_product_id=returned.pk, data={"quantity": 2, "findings": ""}
    )
    assert snapshot() == before


def test_an_rma_number_is_used_once_whatever_its_case(org, complaint):
    services.add_returned_product(
        actor=org["qe"], complaint_id=complaint.pk, rma_number="RMA-7", quantity=1
    )
    errors = refused(
        lambda: services.add_returned_product(
            actor=org["qe"], complaint_id=complaint.pk, rma_number="rma-7", quantity=1
        )
    )
    assert errors == {"rma_number": ["RMA number rma-7 is already in use."]}


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"quantity": 0}, {"quantity": ["Enter a value of at least 1."]}),
        ({"rma_number": ""}, {"rma_number": ["This field is required."]}),
        (
            {"analysed_at": aware(2026, 3, 4, 9, 0)},
            {"analysed_at": ["Record when the product was received before its analysis."]},
        ),
        (
            {"received_at": aware(2026, 3, 4, 9, 0), "analysed_at": aware(2026, 3, 3, 9, 0)},
            {"analysed_at": ["The analysis cannot be before the product was received."]},
        ),
        (
            {"received_at": aware(2026, 3, 6, 9, 0)},
            {"received_at": ["This time cannot be in the future."]},
        ),
        (
            {"disposition": "rework"},
            {"findings": ["Record the findings before deciding the disposition."]},
        ),
        ({"disposition": "melt"}, {"disposition": ["Choose a valid option."]}),
    ],
)
def test_returned_product_rules(org, complaint, values, errors):
    data = {"rma_number": "RMA-9", "quantity": 1, **values}
    with clock.at(T):
        assert (
            refused(
                lambda: services.add_returned_product(
                    actor=org["qe"], complaint_id=complaint.pk, **data
                )
            )
            == errors
        )


def test_an_update_is_checked_against_what_is_stored(org, complaint):
    with clock.at(T):
        returned = services.add_returned_product(
            actor=org["qe"],
            complaint_id=complaint.pk,
            rma_number="RMA-10",
            quantity=1,
            received_at=aware(2026, 3, 5, 8, 0),
        )
        errors = refused(
            lambda: services.update_returned_product(
                actor=org["qe"],
                returned_product_id=returned.pk,
                data={"analysed_at": aware(2026, 3, 5, 7, 0)},
            )
        )
    assert errors == {"analysed_at": ["The analysis cannot be before the product was received."]}
    assert refused(
        lambda: services.update_returned_product(
            actor=org["qe"], returned_product_id=returned.pk, data={"rma_number": "X"}
        )
    ) == {"rma_number": ["This field cannot be set."]}


# ---------------------------------------------------------------- containment


def test_containment_is_recorded_then_verified(org, complaint):
    with clock.at(T):
        containment = services.add_containment(
            actor=org["ts_head"],
            complaint_id=complaint.pk,
            scope="in_stock",
            action="冻结成品库存，全数目检",
            quantity_checked=1200,
            quantity_nonconforming=14,
        )
    assert last_event(complaint).data == {
        "record": "containment",
        "action": "added",
        "containment": containment.pk,
        "scope": "in_stock",
        "text": "冻结成品库存，全数目检",
        "quantity_checked": 1200,
        "quantity_nonconforming": 14,
    }
    with clock.at(T + timedelta(hours=5)):
        services.verify_containment(actor=org["qe"], containment_id=containment.pk)
    containment.refresh_from_db()
    assert (containment.verified_by, containment.verified_at) == (org["qe"], T + timedelta(hours=5))
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("investigation", org["qe"])
    assert event.data == {
        "record": "containment",
        "action": "verified",
        "containment": containment.pk,
        "scope": "in_stock",
        "text": "冻结成品库存，全数目检",
        "verified_at": "2026-03-05T15:00:00+08:00",
    }

    before = snapshot()
    with pytest.raises(DomainError) as info:
        services.verify_containment(actor=org["qe"], containment_id=containment.pk)
    assert info.value.code == "already_verified"
    assert str(info.value.message) == "This containment was already verified by qe."
    assert snapshot() == before


def test_containment_cannot_find_more_bad_parts_than_it_checked(org, complaint):
    errors = refused(
        lambda: services.add_containment(
            actor=org["qe"],
            complaint_id=complaint.pk,
            scope="at_customer",
            action="客户处挑选",
            quantity_checked=10,
            quantity_nonconforming=11,
        )
    )
    assert errors == {"quantity_nonconforming": ["More nonconforming than checked: at most 10."]}
    errors = refused(
        lambda: services.add_containment(
            actor=org["qe"], complaint_id=complaint.pk, scope="warehouse", action=""
        )
    )
    assert errors == {"scope": ["Choose a valid option."], "action": ["This field is required."]}


# ---------------------------------------------------------------- 5-Why


STEPS = [
    {"why": "为什么外壳开裂？", "because": "壁厚不足", "cause_code": None},
    {"why": "为什么壁厚不足？", "because": "注塑保压时间过短", "cause_code": None},
    {"why": "为什么保压时间过短？", "because": "换模后参数未恢复", "cause_code": "MACH-02"},
]


def steps_with_ids(steps):
    return [
        {**s, "cause_code": code(s["cause_code"]).pk if s["cause_code"] else None} for s in steps
    ]


def test_add_why_chain_with_its_steps(org, complaint):
    chain = services.add_why_chain(
        actor=org["qe"],
        complaint_id=complaint.pk,
        kind="occurrence",
        problem="控制器外壳开裂",
        steps=steps_with_ids(STEPS),
    )
    steps = list(chain.steps.order_by("position"))
    assert [(s.position, s.because, s.cause_code_id) for s in steps] == [
        (1, "壁厚不足", None),
        (2, "注塑保压时间过短", None),
        (3, "换模后参数未恢复", code("MACH-02").pk),
    ]
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("root_cause", org["qe"])
    assert event.data == {
        "record": "why_chain",
        "action": "added",
        "why_chain": chain.pk,
        "kind": "occurrence",
        "problem": "控制器外壳开裂",
        "steps": STEPS,
    }


def test_editing_a_chain_replaces_its_steps_and_keeps_the_old_ones(org, complaint):
    chain = services.add_why_chain(
        actor=org["qe"],
        complaint_id=complaint.pk,
        kind="escape",
        problem="出厂检验未发现",
        steps=[{"why": "", "because": "抽检比例低"}],
    )
    new = [
        {"why": "为什么没有检出？", "because": "抽样方案 AQL 过松", "cause_code": "MEAS-02"},
        {"why": "为什么方案过松？", "because": "方案多年未评审", "cause_code": None},
    ]
    services.update_why_chain(
        actor=org["ts_member"], why_chain_id=chain.pk, steps=steps_with_ids(new)
    )

    chain.refresh_from_db()
    assert chain.revision == 2
    current = WhyStep.objects.filter(chain=chain, replaced_at__isnull=True).order_by("position")
    assert [s.because for s in current] == ["抽样方案 AQL 过松", "方案多年未评审"]
    old = WhyStep.objects.get(chain=chain, replaced_at__isnull=False)
    assert (old.revision, old.because) == (1, "抽检比例低")
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("root_cause", org["ts_member"])
    assert event.data == {
        "record": "why_chain",
        "action": "changed",
        "why_chain": chain.pk,
        "kind": "escape",
        "problem": "出厂检验未发现",
        "steps": new,
        "before_steps": [{"why": "", "because": "抽检比例低", "cause_code": None}],
    }


def test_why_chain_rules(org, complaint):
    assert refused(
        lambda: services.add_why_chain(
            actor=org["qe"], complaint_id=complaint.pk, kind="occurrence", problem="P", steps=[]
        )
    ) == {"steps": ["Give at least one “why? because”."]}
    CauseCode.objects.filter(code="MAN-03").update(is_active=False)
    assert refused(
        lambda: services.add_why_chain(
            actor=org["qe"],
            complaint_id=complaint.pk,
            kind="why",
            problem="",
            steps=[
                {"why": "为什么？", "because": "疲劳", "cause_code": code("MAN-03").pk},
                {"why": "为什么？", "because": ""},
            ],
        )
    ) == {
        "kind": ["Choose a valid option."],
        "problem": ["This field is required."],
        "steps.0.cause_code": ["Choose an active cause code."],
        "steps.1.because": ["This field is required."],
    }
    assert refused(
        lambda: services.add_why_chain(
            actor=org["qe"],
            complaint_id=complaint.pk,
            kind="occurrence",
            problem="P",
            steps=[{"because": "b"}] * 11,
        )
    ) == {"steps": ["At most 10 steps."]}


# ---------------------------------------------------------------- fishbone


def test_fishbone_causes_and_sub_causes(org, complaint):
    main = services.add_fishbone_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        category="machine",
        text="注塑机保压参数漂移",
        cause_code_id=code("MACH-02").pk,
    )
    assert last_event(complaint).data == {
        "record": "fishbone_cause",
        "action": "added",
        "fishbone_cause": main.pk,
        "category": "machine",
        "text": "注塑机保压参数漂移",
        "parent": None,
        "cause_code": "MACH-02",
        "is_root": False,
    }
    sub = services.add_fishbone_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        category=None,
        text="换模后未做首件确认",
        parent_id=main.pk,
        is_root=True,
    )
    assert (sub.category, sub.parent, sub.is_root) == ("machine", main, True)
    assert last_event(complaint).kind == "root_cause"

    assert refused(
        lambda: services.add_fishbone_cause(
            actor=org["qe"], complaint_id=complaint.pk, category=None, text="x", parent_id=sub.pk
        )
    ) == {"parent": ["A sub-cause cannot have sub-causes of its own; choose a main cause."]}
    assert refused(
        lambda: services.add_fishbone_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            category="method",
            text="x",
            parent_id=main.pk,
        )
    ) == {"parent": ["A sub-cause sits on the bone of its cause (Machine (机))."]}
    assert refused(
        lambda: services.add_fishbone_cause(
            actor=org["qe"], complaint_id=complaint.pk, category="money", text=" "
        )
    ) == {"text": ["This field is required."], "category": ["Choose a valid option."]}


def test_a_cause_of_another_complaint_cannot_be_a_parent(org, complaint):
    other = in_diagnosis(org, title="另一件投诉")
    foreign = services.add_fishbone_cause(
        actor=org["qe"], complaint_id=other.pk, category="man", text="新员工"
    )
    assert refused(
        lambda: services.add_fishbone_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            category="man",
            text="x",
            parent_id=foreign.pk,
        )
    ) == {"parent": ["Choose a cause of this fishbone."]}


def test_removing_a_cause_marks_it_and_its_sub_causes_and_deletes_nothing(org, complaint):
    main = services.add_fishbone_cause(
        actor=org["qe"], complaint_id=complaint.pk, category="material", text="来料壁厚偏薄"
    )
    sub = services.add_fishbone_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        category=None,
        text="供应商换料",
        parent_id=main.pk,
    )
    with clock.at(T):
        services.remove_fishbone_cause(actor=org["ts_member"], fishbone_cause_id=main.pk)

    assert FishboneCause.objects.count() == 2
    for cause in (main, sub):
        cause.refresh_from_db()
        assert (cause.removed_at, cause.removed_by) == (T, org["ts_member"])
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("root_cause", org["ts_member"])
    assert event.data == {
        "record": "fishbone_cause",
        "action": "removed",
        "fishbone_cause": main.pk,
        "category": "material",
        "text": "来料壁厚偏薄",
        "parent": None,
        "cause_code": None,
        "is_root": False,
        "removed_sub_causes": [sub.pk],
    }
    before = snapshot()
    with pytest.raises(DomainError) as info:
        services.remove_fishbone_cause(actor=org["qe"], fishbone_cause_id=main.pk)
    assert str(info.value.message) == "This cause was already removed."
    assert snapshot() == before


def test_marking_a_cause_as_root(org, complaint):
    cause = services.add_fishbone_cause(
        actor=org["qe"], complaint_id=complaint.pk, category="method", text="作业指导书未更新"
    )
    services.set_fishbone_root(actor=org["qe"], fishbone_cause_id=cause.pk, is_root=True)
    cause.refresh_from_db()
    assert cause.is_root is True
    assert last_event(complaint).data["action"] == "marked"
    before = snapshot()
    services.set_fishbone_root(actor=org["qe"], fishbone_cause_id=cause.pk, is_root=True)
    assert snapshot() == before
    services.set_fishbone_root(actor=org["qe"], fishbone_cause_id=cause.pk, is_root=False)
    assert last_event(complaint).data["action"] == "unmarked"


# ---------------------------------------------------------------- root cause


def test_a_root_cause_needs_someone_responsible(org, complaint):
    errors = refused(
        lambda: services.set_root_cause(
            actor=org["qe"], complaint_id=complaint.pk, statement="注塑保压参数换模后未恢复"
        )
    )
    assert errors == {
        "responsible_department": ["Name who is responsible: a department, a supplier, or both."]
    }
    assert access.has_root_cause(complaint) is False
    assert access.root_cause_of(complaint) is None


def test_set_and_revise_the_root_cause(org, complaint):
    prod = org.departments["prod"]
    supplier = Supplier.objects.create(code="S01", name="宁波塑胶件厂", material="PC/ABS 外壳")
    with clock.at(T):
        root = services.set_root_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            statement="换模后保压参数未恢复，壁厚不足",
            cause_code_id=code("MACH-02").pk,
            responsible_department_id=prod.pk,
        )
    assert access.has_root_cause(complaint) is True
    assert access.root_cause_of(complaint) == root
    assert (root.decided_by, root.decided_at) == (org["qe"], T)
    first = {
        "statement": "换模后保压参数未恢复，壁厚不足",
        "cause_code": "MACH-02",
        "cause_code_label": "MACH-02 Setting",
        "responsible_department": prod.pk,
        "responsible_department_label": "Production",
        "responsible_supplier": None,
        "responsible_supplier_label": None,
    }
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("root_cause", org["qe"])
    assert event.data == {"record": "root_cause", "action": "added", **first, "before": None}

    with clock.at(T + timedelta(days=1)):
        services.set_root_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            statement="供应商来料壁厚偏薄",
            cause_code_id=code("MAT-01").pk,
            responsible_supplier_id=supplier.pk,
        )
    root = access.root_cause_of(complaint)
    assert (root.statement, root.responsible_department, root.responsible_supplier) == (
        "供应商来料壁厚偏薄",
        None,
        supplier,
    )
    assert root.decided_at == T + timedelta(days=1)
    assert RootCause.objects.count() == 1
    assert last_event(complaint).data == {
        "record": "root_cause",
        "action": "changed",
        "statement": "供应商来料壁厚偏薄",
        "cause_code": "MAT-01",
        "cause_code_label": "MAT-01 Supplier defect",
        "responsible_department": None,
        "responsible_department_label": None,
        "responsible_supplier": supplier.pk,
        "responsible_supplier_label": "宁波塑胶件厂",
        "before": first,
    }


def test_root_cause_rules(org, complaint):
    retired = Supplier.objects.create(code="S02", name="停用供应商", is_active=False)
    assert refused(
        lambda: services.set_root_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            statement="",
            cause_code_id=999_999,
            responsible_supplier_id=retired.pk,
        )
    ) == {
        "statement": ["This field is required."],
        "cause_code": ["Choose an active cause code."],
        "responsible_supplier": ["Choose an active supplier."],
    }


# ---------------------------------------------------------------- who may write


def every_write(org, complaint, actor):
    """One call of each service that starts from the complaint."""
    user = org[actor]
    return [
        lambda: services.add_inspection(
            actor=user, complaint_id=complaint.pk, checked="c", result="r"
        ),
        lambda: services.add_returned_product(
            actor=user, complaint_id=complaint.pk, rma_number="R", quantity=1
        ),
        lambda: services.add_containment(
            actor=user, complaint_id=complaint.pk, scope="in_stock", action="a"
        ),
        lambda: services.add_why_chain(
            actor=user,
            complaint_id=complaint.pk,
            kind="occurrence",
            problem="p",
            steps=[{"because": "b"}],
        ),
        lambda: services.add_fishbone_cause(
            actor=user, complaint_id=complaint.pk, category="man", text="t"
        ),
        lambda: services.set_root_cause(
            actor=user,
            complaint_id=complaint.pk,
            statement="s",
            responsible_department_id=org.departments["prod"].pk,
        ),
    ]


@pytest.mark.parametrize("actor", ["cs", "exec", "admin"])
def test_read_only_roles_may_not_write(org, complaint, actor):
    before = snapshot()
    for call in every_write(org, complaint, actor):
        with pytest.raises(NotAllowed) as info:
            call()
        assert str(info.value.message) == "You may not change the investigation of this complaint."
    assert snapshot() == before


def test_a_department_without_a_task_gets_not_found(org, complaint):
    before = snapshot()
    for call in every_write(org, complaint, "prod_member"):
        with pytest.raises(DomainError) as info:
            call()
        assert info.value.code == "not_found"
    assert snapshot() == before


def test_the_department_with_a_task_may_write(org, complaint):
    for call in every_write(org, complaint, "ts_member"):
        call()
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, actor=org["ts_member"], kind__in=["investigation", "root_cause"]
        ).count()
        == 6
    )


def test_a_closed_complaint_can_no_longer_change(org, complaint):
    rejected = org.advance(complaint, "reject", actor="cs")
    assert not rejected.is_open
    before = snapshot()
    for call in every_write(org, complaint, "qe"):
        with pytest.raises(NotAllowed) as info:
            call()
        assert str(info.value.message) == (
            "This complaint is closed; its investigation can no longer change."
        )
    assert snapshot() == before


def test_every_service_bumps_the_version_once(org, complaint):
    version = Complaint.objects.get(pk=complaint.pk).version
    for call in every_write(org, complaint, "qe"):
        call()
    assert Complaint.objects.get(pk=complaint.pk).version == version + 6
    assert InspectionEvidence.objects.count() == 0
    assert (ReturnedProduct.objects.count(), Containment.objects.count()) == (1, 1)
    assert verify_chain()[1] == []
