"""Registration, grading, edits and the record, through the services."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from qualityloop.complaints import services
from qualityloop.complaints.choices import EventKind, Severity, SeveritySource, Warranty
from qualityloop.complaints.models import Complaint, ComplaintEvent, GradingRule
from qualityloop.complaints.workflow import Status
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, StaleVersion, ValidationFailed
from qualityloop.testing import assert_audit_event, aware, database_snapshot

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_registration_numbers_fills_and_opens_intake(org):
    with clock.at(aware(2026, 5, 6, 9, 30)):
        c = org.register(purchase_date=date(2026, 1, 10))
    assert c.number == "QC-2026-000001"
    assert c.model_number == "MC-200"
    assert c.site == org.site
    assert c.warranty == Warranty.IN
    assert c.status == Status.INTAKE
    task = services.current_stage_task(c)
    assert (task.department.code, task.assignee, task.due_at) == (
        "cs",
        org["cs"],
        aware(2026, 5, 7, 9, 30),
    )
    registered = assert_audit_event(c, EventKind.REGISTERED, number="QC-2026-000001")
    assert registered.actor == org["cs"] and registered.seq == 1


def test_numbers_count_up_per_year_and_are_never_reused(org):
    with clock.at(aware(2025, 12, 31, 23, 0)):
        a = org.register(received_at=aware(2025, 12, 31, 22, 0))
    with clock.at(aware(2026, 1, 1, 8, 0)):
        b = org.register()
        c = org.register()
    assert [a.number, b.number, c.number] == ["QC-2025-000001", "QC-2026-000001", "QC-2026-000002"]
    with pytest.raises(ValidationFailed), clock.at(aware(2026, 1, 1, 9, 0)):
        org.register(title="")
    with clock.at(aware(2026, 1, 1, 10, 0)):
        assert org.register().number == "QC-2026-000003"


def test_out_of_warranty_is_flagged(org):
    c = org.register(purchase_date=timezone.localdate() - timedelta(days=800))
    assert c.warranty == Warranty.OUT


@pytest.mark.parametrize(
    ("inputs", "severity", "rule"),
    [
        ({}, Severity.MINOR, ""),
        (
            {"safety_or_regulatory": True},
            Severity.CRITICAL,
            "涉及安全或法规 Safety or regulatory impact",
        ),
        ({"line_down": True}, Severity.CRITICAL, "客户产线停线 Customer line down"),
        ({"scope": 4}, Severity.CRITICAL, "多个客户受影响 Several customers affected"),
        ({"scope": 3}, Severity.MAJOR, "批量问题 Batch problem"),
        ({"requested_remedy": "claim"}, Severity.MAJOR, "要求退货或索赔 Return or claim requested"),
        ({"requested_remedy": "repair"}, Severity.MINOR, ""),
        ({"is_repeat": True}, Severity.MAJOR, "重复投诉 Repeat complaint"),
    ],
)
def test_grade_comes_from_the_first_matching_rule(org, inputs, severity, rule):
    inputs.setdefault("is_repeat", False)
    c = org.register(**inputs)
    assert (c.severity, c.severity_basis) == (severity, rule)
    assert c.severity_source == (SeveritySource.RULE if rule else SeveritySource.DEFAULT)


def test_rules_are_editable(org):
    GradingRule.objects.filter(name__startswith="批量").update(severity=Severity.CRITICAL)
    GradingRule.objects.create(
        priority=5,
        name="包装破损一律一般",
        severity=Severity.MINOR,
        min_scope=3,
        line_down=False,
        safety_or_regulatory=False,
    )
    c = org.register(scope=3, is_repeat=False)
    assert (c.severity, c.severity_rule.name) == (Severity.MINOR, "包装破损一律一般")


def test_an_earlier_complaint_on_the_same_batch_makes_a_repeat(org):
    first = org.register()
    second = org.register()
    other = org.register(product_id=org.other_product.pk, batch_id=org.other_batch.pk)
    assert (first.is_repeat, second.is_repeat, other.is_repeat) == (False, True, False)
    assert second.severity == Severity.MAJOR
    earlier = list(
        services.earlier_complaints(
            product_id=org.product.pk, batch_id=org.batch.pk, exclude_id=second.pk
        )
    )
    assert earlier == [first]


def test_override_needs_a_reason_and_survives_edits(org):
    c = org.register(is_repeat=False)
    with pytest.raises(ValidationFailed) as exc:
        services.override_grade(actor=org["qe"], complaint_id=c.pk, severity=Severity.CRITICAL)
    assert set(exc.value.errors) == {"reason"}
    with pytest.raises(NotAllowed):
        services.override_grade(actor=org["cs"], complaint_id=c.pk, severity=1, reason="x")
    c = services.override_grade(
        actor=org["qe"],
        complaint_id=c.pk,
        severity=Severity.CRITICAL,
        reason="客户为主机厂，影响召回",
    )
    assert (c.severity, c.severity_source, c.severity_basis) == (
        Severity.CRITICAL,
        SeveritySource.OVERRIDE,
        "客户为主机厂，影响召回",
    )
    assert_audit_event(
        c,
        EventKind.GRADED,
        before=Severity.MINOR,
        after=Severity.CRITICAL,
        reason="客户为主机厂，影响召回",
    )
    c = services.update_complaint(actor=org["qe"], complaint_id=c.pk, changes={"scope": 3})
    assert c.severity == Severity.CRITICAL
    c = services.override_grade(actor=org["qe"], complaint_id=c.pk, severity=None)
    assert (c.severity, c.severity_source) == (Severity.MAJOR, SeveritySource.RULE)


def test_edit_records_before_and_after_and_regrades(org):
    c = org.register(is_repeat=False)
    c = services.update_complaint(
        actor=org["cs"],
        complaint_id=c.pk,
        changes={"line_down": True, "quantity": 40, "batch_id": org.batch.pk},
        expected_version=c.version,
        reason="客户补充：产线已停",
    )
    assert c.severity == Severity.CRITICAL
    edited = assert_audit_event(c, EventKind.EDITED, reason="客户补充：产线已停")
    assert sorted(edited.data["changes"], key=lambda ch: ch["field"]) == [
        {"field": "line_down", "before": False, "after": True},
        {"field": "quantity", "before": 3, "after": 40},
    ]
    assert_audit_event(c, EventKind.GRADED, before=Severity.MINOR, after=Severity.CRITICAL)


def test_stale_edit_is_a_conflict_and_changes_nothing(org):
    c = org.register()
    stale = c.version
    services.update_complaint(
        actor=org["cs"], complaint_id=c.pk, changes={"quantity": 5}, expected_version=stale
    )
    before = database_snapshot()
    with translation.override("en"):
        with pytest.raises(StaleVersion) as exc:
            services.update_complaint(
                actor=org["qe"], complaint_id=c.pk, changes={"quantity": 9}, expected_version=stale
            )
        # The message is lazy: it must be read while English is still active.
        assert "Someone else changed this complaint" in str(exc.value.message)
    assert database_snapshot() == before
    c.refresh_from_db()
    assert c.quantity == 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"complainant_name": "   "}, "complainant_name"),
        ({"product_id": 999999}, "product"),
        ({"batch_id": "abc"}, "batch"),
        ({"channel": "pigeon"}, "channel"),
        ({"complainant_email": "not-an-email"}, "complainant_email"),
        ({"description": "坏" * 5_000_000}, "description"),
        ({"quantity": -3}, "quantity"),
        ({"received_at": timezone.now() + timedelta(days=2)}, "received_at"),
        ({"purchase_date": timezone.localdate() + timedelta(days=30)}, "purchase_date"),
        ({"number": "QC-1999-000001"}, "number"),
    ],
)
def test_bad_input_is_named_and_writes_nothing(org, overrides, field):
    before = database_snapshot()
    with pytest.raises(ValidationFailed) as exc:
        org.register(**overrides)
    assert field in exc.value.errors
    assert database_snapshot() == before


def test_batch_of_another_product_is_refused(org):
    with pytest.raises(ValidationFailed) as exc, translation.override("en"):
        org.register(batch_id=org.other_batch.pk)
    assert exc.value.errors == {"batch": ["Batch L2026-0402 belongs to another product."]}


def test_script_and_sql_are_kept_verbatim(org):
    title = "<script>alert('x')</script>'; DROP TABLE complaints_complaint; --"
    c = org.register(title=title)
    assert Complaint.objects.get(pk=c.pk).title == title


def test_only_front_roles_register(org):
    for username in ("ts_member", "prod_head", "exec", "admin"):
        with pytest.raises(NotAllowed):
            org.register(actor=username)
    assert Complaint.objects.count() == 0


def test_attachment_checked_by_content_and_stored_outside_web_root(org, settings):
    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
    c = services.register_complaint(actor=org["cs"], data=org.complaint_data(), files=[photo])
    (attachment,) = c.attachments.all()
    assert (attachment.content_type, attachment.size) == ("image/png", len(PNG))
    path = settings.ATTACHMENT_ROOT / attachment.storage_name
    assert path.read_bytes() == PNG
    assert_audit_event(c, EventKind.ATTACHMENT, name="crack.png", size=len(PNG))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is an exe", "does not match its name"),
        ("photo.jpg", PNG, "does not match its name"),
        ("tool.exe", b"MZ\x90\x00", "are not accepted"),
        ("empty.png", b"", "is empty"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(org, settings, name, content, message):
    before = database_snapshot()
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(DomainError) as exc, translation.override("en"):
        services.register_complaint(actor=org["cs"], data=org.complaint_data(), files=[upload])
    assert message in str(exc.value)
    assert database_snapshot() == before
    root = settings.ATTACHMENT_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_oversized_upload_is_refused(org, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    c = org.register()
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2000)
    with translation.override("en"), pytest.raises(DomainError, match="limit"):
        services.add_attachment(actor=org["cs"], complaint_id=c.pk, upload=upload)
    assert c.attachments.count() == 0


def test_text_attachment_in_gb18030_is_text(org):
    upload = SimpleUploadedFile("检验记录.txt", "抽检20台，3台外壳开裂".encode("gb18030"))
    c = org.register()
    attachment = services.add_attachment(actor=org["cs"], complaint_id=c.pk, upload=upload)
    assert attachment.content_type == "text/plain"


def test_extra_task_blocks_closure_until_done(org):
    from qualityloop.complaints.tests.test_workflow import reach

    c = reach(org, Status.KNOWLEDGE)
    services.record_customer_answer(actor=org["cs"], complaint_id=c.pk, text="已处理完毕")
    task = services.add_task(
        actor=org["qe"],
        complaint_id=c.pk,
        department_id=org.departments["prod"].pk,
        title="生产线现场验证",
        due_at=timezone.now() + timedelta(days=2),
    )
    from qualityloop.core.errors import TransitionRefused

    with pytest.raises(TransitionRefused):
        org.advance(c, "close")
    with pytest.raises(NotAllowed):
        services.complete_task(actor=org["ts_member"], task_id=task.pk, outcome="x")
    services.complete_task(actor=org["prod_member"], task_id=task.pk, outcome="现场复核合格")
    c = org.advance(c, "close")
    assert c.status == Status.CLOSED


def test_assignment_stays_within_the_department(org):
    c = org.register()
    c = org.advance(c, "acknowledge", "confirm_grade", actor="cs")
    task = services.current_stage_task(c)
    with pytest.raises(NotAllowed):
        services.assign_task(
            actor=org["prod_head"], task_id=task.pk, assignee_id=org["ts_member"].pk
        )
    with pytest.raises(ValidationFailed):
        services.assign_task(
            actor=org["ts_head"], task_id=task.pk, assignee_id=org["prod_member"].pk
        )
    services.assign_task(actor=org["ts_head"], task_id=task.pk, assignee_id=org["ts_member"].pk)
    assert_audit_event(
        c, EventKind.TASK_ASSIGNED, after=org["ts_member"].pk, after_label="ts_member"
    )


def test_first_contact_close_counts_and_records_the_answer(org):
    c = org.register(is_repeat=False)
    c = org.advance(c, "close_at_first_contact", actor="cs", answer="已电话指导客户正确安装。")
    assert c.status == Status.CLOSED
    assert c.first_contact_resolution and c.customer_answer == "已电话指导客户正确安装。"
    assert not c.tasks.filter(status="open").exists()


def test_every_write_lands_on_the_record(org):
    c = org.register(is_repeat=False)
    services.add_comment(actor=org["qe"], complaint_id=c.pk, body="请技术支持尽快确认")
    org.advance(c, "acknowledge", actor="cs")
    kinds = list(ComplaintEvent.objects.filter(complaint=c).values_list("kind", flat=True))
    assert kinds == ["registered", "task_opened", "comment", "transition", "task_opened"]
