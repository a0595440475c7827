"""Drafting entries from closed complaints, editing, publishing, archiving."""

import pytest
from django.utils import translation

from qualityloop.complaints import services as complaint_services
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import ComplaintEvent
from qualityloop.core.errors import NotAllowed, StaleVersion, ValidationFailed
from qualityloop.knowledge import services
from qualityloop.knowledge.models import KnowledgeEntry, KnowledgeEntryEvent
from qualityloop.testing import assert_audit_event

from .helpers import ANSWER, category, closed_at_first_contact, entry, through_the_loop


def test_a_closed_complaint_becomes_a_draft_with_every_stage_in_its_place(org):
    complaint = through_the_loop(org)

    made = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])

    made.refresh_from_db()
    assert made.complaint_id == complaint.pk
    assert made.title == "控制器外壳开裂"
    assert made.problem == "客户收货后发现3台电机控制器外壳开裂，影响装配。"
    # The root cause the investigation recorded (qualityloop/testing.py sets it before the plan).
    assert made.root_cause == "注塑保压时间不足，外壳内应力过大"
    assert made.solution == (
        "模具冷却时间由15秒调整为25秒\n\n库存2000件全检，更换不良品\n\n已为客户免费更换3台外壳。"
    )
    assert made.lessons == "新模具投产前必须做内应力测试"
    assert made.tags == "外观,控制器"
    assert made.tag_list == ["外观", "控制器"]
    assert made.product_id == org.product.pk
    assert made.category_id == category("appearance")
    assert made.status == "draft"
    assert made.created_by == org["qe"]
    assert made.published_at is None
    event = assert_audit_event(
        complaint, EventKind.KNOWLEDGE, action="created", entry=made.pk, status="draft"
    )
    assert event.actor == org["qe"]
    assert [e.kind for e in made.events.all()] == ["created"]


def test_the_investigated_root_cause_wins_over_the_stage_outcome(org):
    investigation = pytest.importorskip("qualityloop.investigation.services")
    complaint = org.register(is_repeat=False)
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
    complaint = org.advance(complaint, "complete_diagnosis", outcome="初判")
    investigation.set_root_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        statement="模具浇口位置设计不当",
        responsible_department_id=org.departments["prod"].pk,
    )
    complaint = org.advance(complaint, "complete_root_cause", outcome="见根本原因记录")
    complaint = org.advance(complaint, "approve_plan", "complete_execution", outcome="改模")
    complaint_services.record_customer_answer(
        actor=org["cs"], complaint_id=complaint.pk, text=ANSWER
    )
    complaint = org.advance(complaint, "close", outcome="设计评审加浇口检查")

    # Closing drafted the entry, in the name of whoever closed; asking again returns it.
    made = services.create_from_complaint(complaint_id=complaint.pk)

    assert made.root_cause == "模具浇口位置设计不当"
    assert made.solution == f"改模\n\n{ANSWER}"
    assert made.lessons == "设计评审加浇口检查"
    assert made.created_by == org["qe"]
    assert assert_audit_event(complaint, EventKind.KNOWLEDGE, action="created").actor == org["qe"]


def test_without_an_investigated_root_cause_the_stage_outcome_is_used(org, monkeypatch):
    # Cases closed before the investigation app recorded root causes.
    monkeypatch.setattr(services, "_investigated_root_cause", lambda complaint: "")
    complaint = through_the_loop(org)

    made = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])

    assert made.root_cause == "注塑模具冷却不足，内应力过大"


def test_first_contact_closure_gives_the_answer_as_solution_and_no_lessons(org):
    complaint = closed_at_first_contact(org, product_id=org.other_product.pk, batch_id=None)

    made = services.create_from_complaint(complaint_id=complaint.pk, actor=None)

    assert (made.root_cause, made.solution, made.lessons) == ("", ANSWER, "")
    assert made.tags == "外观,电源"
    assert made.created_by is None


def test_drafting_twice_returns_the_same_entry_and_writes_once(org):
    complaint = closed_at_first_contact(org)
    first = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])
    events = ComplaintEvent.objects.filter(complaint=complaint).count()

    again = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])

    assert again.pk == first.pk
    assert KnowledgeEntry.objects.count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
    assert KnowledgeEntryEvent.objects.count() == 1


def test_an_open_complaint_is_refused_and_nothing_is_written(org):
    complaint = org.register(is_repeat=False)
    events = ComplaintEvent.objects.filter(complaint=complaint).count()

    with pytest.raises(services.NotClosed) as refused:
        services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])

    assert refused.value.code == "not_closed"
    assert KnowledgeEntry.objects.count() == 0
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_editing_changes_the_fields_the_tokens_and_the_history(org):
    complaint = closed_at_first_contact(org)
    made = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])

    updated = services.update_entry(
        actor=org["qe"],
        entry_id=made.pk,
        data={"root_cause": "供应商来料壁厚不足", "tags": " Supplier，外观 ,, 来料、supplier"},
        expected_version=1,
    )

    assert updated.version == 2
    assert updated.root_cause == "供应商来料壁厚不足"
    assert updated.tags == "supplier,外观,来料"
    assert [h.entry.pk for h in services.search(org["qe"], "壁厚")] == [made.pk]
    history = updated.events.get(kind="updated")
    assert history.actor == org["qe"]
    assert history.data["changes"] == [
        {"field": "root_cause", "before": "", "after": "供应商来料壁厚不足"},
        {"field": "tags", "before": "外观,控制器", "after": "supplier,外观,来料"},
    ]
    assert_audit_event(
        complaint, EventKind.KNOWLEDGE, action="updated", fields=["root_cause", "tags"]
    )


def test_a_stale_edit_is_refused(org):
    made = entry(org, title="外壳开裂", publish=False)
    services.update_entry(actor=org["qe"], entry_id=made.pk, data={"lessons": "甲"})

    with pytest.raises(StaleVersion) as stale:
        services.update_entry(
            actor=org["qe"], entry_id=made.pk, data={"lessons": "乙"}, expected_version=1
        )

    assert stale.value.current_version == 2
    made.refresh_from_db()
    assert made.lessons == "甲"


def test_bad_input_names_the_fields(org):
    with translation.override("en"), pytest.raises(ValidationFailed) as invalid:
        services.create_entry(
            actor=org["qe"],
            data={"title": " ", "problem": "", "product_id": 999999, "tags": ["x" * 41]},
        )
    assert invalid.value.errors == {
        "title": ["This field is required."],
        "problem": ["This field is required."],
        "tags": ["A tag has at most 40 characters."],
        "product": ["No such product."],
    }
    assert KnowledgeEntry.objects.count() == 0


def test_publishing_needs_a_solution_then_archiving_withdraws(org):
    made = entry(org, title="外壳开裂", solution="", publish=False)

    with translation.override("en"), pytest.raises(ValidationFailed) as invalid:
        services.publish_entry(actor=org["qe"], entry_id=made.pk)
    assert invalid.value.errors == {"solution": ["Fill this in before publishing."]}

    services.update_entry(actor=org["qe"], entry_id=made.pk, data={"solution": "改模"})
    published = services.publish_entry(actor=org["qe"], entry_id=made.pk, expected_version=2)
    assert (published.status, published.published_by, published.version) == (
        "published",
        org["qe"],
        3,
    )
    archived = services.archive_entry(actor=org["qe"], entry_id=made.pk)
    assert archived.status == "archived"
    assert KnowledgeEntry.objects.filter(pk=made.pk).exists()
    assert [e.kind for e in made.events.order_by("id")] == [
        "created",
        "updated",
        "published",
        "archived",
    ]


@pytest.mark.parametrize("username", ["cs", "ts_member", "ts_head", "exec", "admin"])
def test_only_quality_engineers_write(org, username):
    made = entry(org, title="外壳开裂", publish=False)
    for call in (
        lambda: services.create_entry(actor=org[username], data={"title": "甲", "problem": "乙"}),
        lambda: services.update_entry(actor=org[username], entry_id=made.pk, data={"title": "丙"}),
        lambda: services.publish_entry(actor=org[username], entry_id=made.pk),
        lambda: services.archive_entry(actor=org[username], entry_id=made.pk),
    ):
        with pytest.raises(NotAllowed):
            call()
    made.refresh_from_db()
    assert (made.title, made.status, made.version) == ("外壳开裂", "draft", 1)
    assert KnowledgeEntry.objects.count() == 1
