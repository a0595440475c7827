"""The gates between investigation, CAPA and closure, each refused with what is missing."""

import pytest
from django.utils import translation

from qualityloop.capa import services as capa
from qualityloop.capa.queries import actions_for
from qualityloop.complaints import services
from qualityloop.complaints.choices import Scope
from qualityloop.core.errors import TransitionRefused
from qualityloop.investigation import services as investigation
from qualityloop.testing import PASSWORD, database_snapshot


def at_planning(org, **fields):
    complaint = org.register(**fields)
    return org.advance(
        complaint, "acknowledge", "confirm_grade", "complete_diagnosis", "complete_root_cause"
    )


def take(org, complaint, name, **inputs):
    return services.transition_complaint(
        actor=org["qe"], complaint_id=complaint.pk, name=name, **inputs
    )


def test_the_plan_is_refused_without_root_cause_and_corrective_action(org):
    complaint = at_planning(org)
    before = database_snapshot()
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        take(org, complaint, "approve_plan", outcome="计划")
    assert str(refused.value.message) == (
        "Record the root cause with its responsibility and at least one corrective action "
        "before the plan is agreed."
    )
    assert database_snapshot() == before

    investigation.set_root_cause(
        actor=org["qe"],
        complaint_id=complaint.pk,
        statement="保压时间不足",
        responsible_department_id=org.departments["prod"].pk,
    )
    capa.plan_action(
        actor=org["qe"],
        complaint_id=complaint.pk,
        type="preventive",
        title="模具点检表增加保压检查",
        owner_id=org["prod_head"].pk,
        due_date=org.batch.production_date.replace(year=2099),
        expected_effect="不再复发",
        effectiveness_criteria="三个月无复发",
    )
    with translation.override("en"), pytest.raises(TransitionRefused) as still:
        take(org, complaint, "approve_plan", outcome="计划")
    assert "at least one corrective action" in str(still.value.message)
    assert "root cause" not in str(still.value.message)


def to_closing(org, **fields):
    complaint = at_planning(org, **fields)
    complaint = org.advance(complaint, "approve_plan", "complete_execution")
    return complaint


def test_closing_is_refused_while_an_action_is_open(org):
    complaint = to_closing(org, scope=Scope.BATCH)  # 重要
    services.record_customer_answer(actor=org["cs"], complaint_id=complaint.pk, text="已更换")
    # The stage's verification is signed while the action is still open.
    complaint = services.transition_complaint(
        actor=org["qe"],
        complaint_id=complaint.pk,
        name="verify",
        outcome="抽检合格",
        password=PASSWORD,
        meaning="verified",
    )
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        take(org, complaint, "close", outcome="经验", password=PASSWORD, meaning="closed")
    assert str(refused.value.message) == "1 action(s) are still open."

    (action,) = actions_for(complaint)
    capa.complete_action(actor=org["prod_head"], action_id=action.pk, note="参数已调整")
    with translation.override("en"), pytest.raises(TransitionRefused) as unverified:
        take(org, complaint, "close", outcome="经验", password=PASSWORD, meaning="closed")
    assert str(unverified.value.message) == (
        "1 action(s) are done but their effect is not verified yet."
    )

    capa.check_effectiveness(
        actor=org["qe"], action_id=action.pk, method="抽检", result="无开裂", rating="effective"
    )
    closed = take(org, complaint, "close", outcome="经验", password=PASSWORD, meaning="closed")
    assert closed.status == "closed"


def test_a_minor_complaint_may_close_with_a_done_but_unverified_action(org):
    complaint = to_closing(org)  # 一般
    assert complaint.severity == 3
    services.record_customer_answer(actor=org["cs"], complaint_id=complaint.pk, text="已处理")
    complaint = org.advance(complaint, "verify")
    (action,) = actions_for(complaint)
    capa.complete_action(actor=org["prod_head"], action_id=action.pk, note="已完成")
    closed = take(org, complaint, "close", outcome="经验", password=PASSWORD, meaning="closed")
    assert closed.status == "closed"
