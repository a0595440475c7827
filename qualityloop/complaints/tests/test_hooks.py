"""The register's hooks: subscribers react in the order settings list them, inside the
caller's transaction, and what they contribute reaches the gates, the timeline and access."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation

from qualityloop.capa import services as capa
from qualityloop.complaints import access, events, hooks, services, workflow
from qualityloop.complaints.models import Complaint, ComplaintEvent, NumberSequence
from qualityloop.complaints.tests import recording_hooks
from qualityloop.core import clock
from qualityloop.sla.models import SlaClock

RECORDING = "qualityloop.complaints.tests.recording_hooks"


@pytest.fixture
def recording(settings):
    recording_hooks.calls.clear()
    recording_hooks.fail_on.clear()
    settings.COMPLAINT_HOOKS = [*django_settings.COMPLAINT_HOOKS, RECORDING]
    yield recording_hooks
    recording_hooks.calls.clear()
    recording_hooks.fail_on.clear()


def test_the_subscribers_are_the_apps_in_their_order():
    assert django_settings.COMPLAINT_HOOKS == [
        "qualityloop.investigation.hooks",
        "qualityloop.capa.hooks",
        "qualityloop.sla.hooks",
        "qualityloop.correspondence.hooks",
        "qualityloop.feedback.hooks",
        "qualityloop.knowledge.hooks",
        "qualityloop.reports.hooks",
    ]
    names = [f.__module__ for f in hooks.subscribers("finished")]
    assert names == [
        "qualityloop.sla.hooks",
        "qualityloop.correspondence.hooks",
        "qualityloop.feedback.hooks",
        "qualityloop.knowledge.hooks",
    ]


def test_reactions_run_in_order_inside_the_callers_transaction(org, recording):
    complaint = org.register()
    # The intake stage starts before "registered"; deadlines (listed earlier) have started
    # their clocks by the time a later subscriber sees the complaint.
    assert [c[:3] for c in recording.calls] == [
        ("stage_entered", "intake", True),
        ("registered", None, True),
    ]
    assert recording.calls[1][3] == SlaClock.objects.filter(complaint=complaint).count() > 0

    recording.calls.clear()
    org.advance(complaint, "close_at_first_contact", actor="cs", answer="已更换外壳")
    assert [c[:2] for c in recording.calls] == [
        ("stage_left", "intake"),
        ("answered", "close_at_first_contact"),
        ("finished", "close_at_first_contact"),
    ]


def test_a_failing_reaction_leaves_nothing_half_written(org, recording):
    recording.fail_on.add("registered")
    numbers_before = list(NumberSequence.objects.values_list("key", "last"))
    with pytest.raises(RuntimeError, match="registered failed"):
        org.register()
    assert Complaint.objects.count() == 0
    assert ComplaintEvent.objects.count() == 0
    assert SlaClock.objects.count() == 0
    assert list(NumberSequence.objects.values_list("key", "last")) == numbers_before


def test_the_register_stands_alone_without_subscribers(org, settings):
    settings.COMPLAINT_HOOKS = []
    moment = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    with clock.at(moment):
        complaint = org.register(received_at=moment)
    task = complaint.tasks.get()
    # Without the deadlines app the stage's plain limit applies, and no clock starts.
    assert task.due_at == moment + workflow.stage_due("intake", complaint.severity)
    assert not SlaClock.objects.exists()
    assert services.facts(complaint, task).has_root_cause is True


def test_gate_facts_come_from_the_apps_that_keep_them(org, recording):
    complaint = org.advance(
        org.register(), "acknowledge", "confirm_grade", "complete_diagnosis", "complete_root_cause"
    )
    facts = services.facts(complaint, services.current_stage_task(complaint))
    assert (facts.has_root_cause, facts.corrective_actions) == (False, 0)
    org.plan_capa(complaint)
    facts = services.facts(complaint, services.current_stage_task(complaint))
    assert (facts.has_root_cause, facts.corrective_actions, facts.open_actions) == (True, 1, 1)
    # A later subscriber's fact wins: the plan gate then refuses.
    recording.fail_on.add("no_root_cause")
    with translation.override("en"):
        refused = dict(services.available_transitions(org["qe"], complaint))
        assert str(refused[workflow.BY_NAME["approve_plan"]]) == (
            "Record the root cause with its responsibility before the plan is agreed."
        )


def test_an_app_names_its_own_event_kinds(recording):
    assert events.kind_label("recorded") == "测试记录"
    with translation.override("zh-hans"):
        assert events.kind_label("registered") == "投诉登记"
    assert events.kind_label("unheard_of") == "unheard_of"


def test_the_owner_of_an_action_may_read_its_complaint(org):
    complaint = org.register()
    outsider = org["rnd_member"]
    assert not access.visible_complaints(outsider).filter(pk=complaint.pk).exists()
    capa.plan_action(
        actor=org["qe"],
        complaint_id=complaint.pk,
        type="corrective",
        title="修改外壳筋位设计",
        owner_id=outsider.pk,
        due_date=timezone.localdate() + timedelta(days=14),
        expected_effect="外壳不再开裂",
        effectiveness_criteria="三批抽检无开裂",
    )
    assert access.visible_complaints(outsider).filter(pk=complaint.pk).exists()
    assert not access.visible_complaints(org["prod_member"]).filter(pk=complaint.pk).exists()
