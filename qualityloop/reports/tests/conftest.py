"""A complaint carried through investigation, CAPA, remedy, answer and closure by the services."""

from datetime import timedelta
from decimal import Decimal

import pytest

from qualityloop.core import clock

ROOT_CAUSE = "注塑保压时间设置过短，外壳卡扣根部壁厚不足"
CORRECTIVE = "调整注塑保压参数并固化到作业指导书"
CONTAINMENT = "隔离库存批次L2026-0301并全检"
PREVENTIVE = "首件检验增加卡扣根部壁厚测量"
LESSONS = "工艺参数变更必须经过首件壁厚确认。"
ANSWER = "经分析为注塑参数问题，已免费更换3台控制器并完成工艺整改。"


@pytest.fixture
def rich(org):
    """The complaint 控制器外壳开裂 with every part of every report filled in, up to the
    answer; its actions are done and verified, the complaint waits for verification."""
    from qualityloop.capa import services as capa
    from qualityloop.complaints import services
    from qualityloop.investigation import services as investigation
    from qualityloop.investigation.models import CauseCode

    qe, prod_head = org["qe"], org["prod_head"]
    today = clock.now().date()
    complaint = org.register(
        immediate_action="通知客户暂停使用同批次控制器。", occurred_place="客户总装线"
    )
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
    complaint = org.advance(complaint, "complete_diagnosis", outcome="外观检查确认卡扣根部开裂。")
    pk = complaint.pk
    investigation.add_inspection(
        actor=qe,
        complaint_id=pk,
        checked="外壳壁厚测量",
        method="卡尺测量",
        result="卡扣根部壁厚0.8mm，图纸要求1.2mm",
        conforming=False,
    )
    investigation.add_returned_product(
        actor=qe,
        complaint_id=pk,
        rma_number="RMA-2026-0001",
        quantity=3,
        findings="3台开裂位置均在卡扣根部",
    )
    investigation.add_containment(
        actor=qe,
        complaint_id=pk,
        scope="in_stock",
        action=CONTAINMENT,
        quantity_checked=500,
        quantity_nonconforming=12,
    )
    investigation.add_why_chain(
        actor=qe,
        complaint_id=pk,
        kind="occurrence",
        problem="外壳开裂",
        steps=[
            {"why": "为什么开裂？", "because": "卡扣根部壁厚不足"},
            {"why": "为什么壁厚不足？", "because": "保压时间过短"},
        ],
    )
    investigation.add_why_chain(
        actor=qe,
        complaint_id=pk,
        kind="escape",
        problem="缺陷流出到客户",
        steps=[{"why": "为什么没有检出？", "because": "首件检验不测量卡扣壁厚"}],
    )
    investigation.add_fishbone_cause(
        actor=qe, complaint_id=pk, category="machine", text="保压时间参数设置过短", is_root=True
    )
    investigation.set_root_cause(
        actor=qe,
        complaint_id=pk,
        statement=ROOT_CAUSE,
        cause_code_id=CauseCode.objects.get(code="MACH-02").pk,
        responsible_department_id=org.departments["prod"].pk,
    )
    complaint = org.advance(complaint, "complete_root_cause", outcome="根本原因已确认。")

    def plan(type, title, **more):
        return capa.plan_action(
            actor=qe,
            complaint_id=pk,
            type=type,
            title=title,
            owner_id=prod_head.pk,
            due_date=today + timedelta(days=7),
            expected_effect="壁厚不低于1.2mm",
            effectiveness_criteria="连续三批抽检壁厚合格",
            **more,
        )

    actions = [
        plan("containment", CONTAINMENT),
        plan("corrective", CORRECTIVE),
        plan("preventive", PREVENTIVE),
    ]
    complaint = org.advance(complaint, "approve_plan", outcome="措施计划已批准。")
    for action in actions:
        capa.complete_action(actor=prod_head, action_id=action.pk, note="已完成，附记录。")
        capa.check_effectiveness(
            actor=qe,
            action_id=action.pk,
            method="抽检三批",
            result="壁厚1.3mm，合格",
            rating="effective",
        )
    remedy = capa.propose_remedy(
        actor=org["cs"],
        complaint_id=pk,
        kind="replacement",
        description="免费更换3台控制器",
        amount=Decimal("1500.00"),
    )
    capa.give_remedy(actor=org["cs"], remedy_id=remedy.pk)
    capa.add_cost_line(
        actor=qe,
        complaint_id=pk,
        category="external_failure",
        description="更换及运费",
        amount=Decimal("1800.00"),
        incurred_on=today,
    )
    complaint = org.advance(complaint, "complete_execution", outcome="三项措施均已完成。")
    return services.record_customer_answer(actor=org["cs"], complaint_id=pk, text=ANSWER)


@pytest.fixture
def closed(org, rich):
    """``rich``, verified and closed: two electronic signatures."""
    complaint = org.advance(rich, "verify", outcome="效果验证合格。")
    return org.advance(complaint, "close", outcome=LESSONS)
