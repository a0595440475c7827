"""SLA clocks on real complaints: targets from the default policies, working-time due times,
pausing for the complainant, met and missed with how late, and replanning on a new grade."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from qualityloop.complaints import services as complaints
from qualityloop.complaints.choices import EventKind, Remedy, Scope, Severity, TaskStatus
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.sla import services
from qualityloop.sla.choices import ClockState
from qualityloop.sla.models import SlaClock, SlaPolicy, SlaTarget
from qualityloop.testing import assert_audit_event

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def clocks(complaint):
    return {
        c.kind: c for c in SlaClock.objects.filter(complaint=complaint, stopped_at__isnull=True)
    }


def register_at(org, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return org.register(received_at=moment, **fields)


def major(org, moment, **fields):
    """A batch problem: graded 重要 by the seeded rules."""
    return register_at(org, moment, scope=Scope.BATCH, channel="phone", **fields)


def test_a_major_complaint_on_the_friday_before_national_day_2025(org):
    complaint = major(org, at(2025, 9, 26, 16, 50))
    assert complaint.severity == Severity.MAJOR
    due = {kind: c.due_at.astimezone(SHANGHAI) for kind, c in clocks(complaint).items()}
    # 40 min on Friday; Saturday off; Sunday 28 Sep is a make-up working day (调休).
    assert due["acknowledge"] == at(2025, 9, 28, 16, 50)  # one working day: 7 h 30
    assert due["first_response"] == at(2025, 9, 28, 16, 50)
    assert due["answer"] == at(2025, 9, 29, 16, 50)  # two working days, before the holiday
    assert due["intake"] == at(2025, 9, 28, 11, 50)  # 4 working hours for 重要
    assert due["closure"] == at(2025, 10, 26, 16, 50)  # 30 calendar days
    assert "containment" not in due  # only 紧急 complaints have a containment clock
    task = complaints.current_stage_task(complaint)
    assert task.due_at == due["intake"]


def test_the_same_complaint_in_2026_waits_for_the_mid_autumn_holiday(org):
    # In 2026 the Friday before National Day, 25 September, is itself Mid-autumn.
    complaint = major(org, at(2026, 9, 25, 16, 50))
    due = {kind: c.due_at.astimezone(SHANGHAI) for kind, c in clocks(complaint).items()}
    assert due["intake"] == at(2026, 9, 28, 14, 0)  # Monday: 3 h 30, lunch, then 30 min
    assert due["first_response"] == at(2026, 9, 28, 17, 30)
    assert due["answer"] == at(2026, 9, 29, 17, 30)


def test_answering_late_records_how_late_in_working_time(org):
    complaint = major(org, at(2025, 9, 26, 16, 50))
    with time_machine.travel(at(2025, 9, 30, 9, 20), tick=False):
        complaints.record_customer_answer(
            actor=org["cs"], complaint_id=complaint.pk, text="更换整批外壳。"
        )
    answer = SlaClock.objects.get(complaint=complaint, kind="answer")
    assert answer.state == ClockState.MISSED
    # Due Monday 16:50; answered Tuesday 09:20: 40 min on Monday + 50 min on Tuesday.
    assert answer.late_by == timedelta(minutes=90)
    first = SlaClock.objects.get(complaint=complaint, kind="first_response")
    # Due Sunday 16:50: 40 min on Sunday, all of Monday (7 h 30) and 50 min on Tuesday.
    assert first.late_by == timedelta(hours=9)


def test_a_clock_met_in_time_has_no_lateness(org):
    complaint = major(org, at(2025, 9, 26, 16, 50))
    with time_machine.travel(at(2025, 9, 28, 9, 0), tick=False):
        complaints.record_customer_answer(actor=org["cs"], complaint_id=complaint.pk, text="已处理")
    answer = SlaClock.objects.get(complaint=complaint, kind="answer")
    assert (answer.state, answer.late_by) == (ClockState.MET, None)
    assert answer.stopped_at == at(2025, 9, 28, 9, 0)


def test_waiting_for_the_complainant_pauses_every_clock_and_resumes_with_what_was_left(org):
    # Monday 2 November 2026, a minor complaint by phone at 09:00.
    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    assert complaint.severity == Severity.MINOR
    first = clocks(complaint)["first_response"]
    # 7 h 30 of working time: 3 h before lunch, 4 h after, the last 30 min on Tuesday.
    assert first.due_at == at(2026, 11, 3, 9, 0)
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        services.wait_for_complainant(
            actor=org["cs"], complaint_id=complaint.pk, reason="等待客户寄回样品"
        )
    first.refresh_from_db()
    assert first.state == ClockState.PAUSED
    assert first.remaining == timedelta(hours=6, minutes=30)
    assert_audit_event(complaint, EventKind.WAITING, paused=len(clocks(complaint)))
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False):
        services.resume_from_waiting(actor=org["cs"], complaint_id=complaint.pk, note="样品已到")
    first.refresh_from_db()
    assert first.state == ClockState.RUNNING
    # Tuesday 10:00–12:00 and 13:30–17:30 is 6 h; the last 30 min fall on Wednesday.
    assert first.due_at == at(2026, 11, 4, 9, 0)
    # The warning comes when 80 % (6 h) has passed: 1 h before the pause, 5 h after.
    assert first.warn_at == at(2026, 11, 3, 16, 30)
    closure = SlaClock.objects.get(complaint=complaint, kind="closure")
    assert closure.due_at == at(2026, 12, 3, 9, 0)  # calendar time: the day on hold is added


def test_waiting_twice_or_resuming_without_waiting_is_refused(org):
    complaint = org.register()
    with pytest.raises(DomainError):
        services.resume_from_waiting(actor=org["cs"], complaint_id=complaint.pk)
    services.wait_for_complainant(actor=org["cs"], complaint_id=complaint.pk, reason="样品")
    with pytest.raises(DomainError):
        services.wait_for_complainant(actor=org["cs"], complaint_id=complaint.pk, reason="again")
    with pytest.raises(NotAllowed):
        services.resume_from_waiting(actor=org["ts_member"], complaint_id=complaint.pk)
    with pytest.raises(ValidationFailed):
        services.wait_for_complainant(actor=org["cs"], complaint_id=org.register().pk, reason=" ")


def test_stage_clocks_follow_the_stages(org):
    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    with time_machine.travel(at(2026, 11, 2, 11, 0), tick=False):
        org.advance(complaint, "acknowledge", actor="cs")
    intake = SlaClock.objects.get(complaint=complaint, kind="intake")
    assert (intake.state, intake.stopped_at) == (ClockState.MET, at(2026, 11, 2, 11, 0))
    complaint.refresh_from_db()
    classification = clocks(complaint)["classification"]
    assert classification.started_at == at(2026, 11, 2, 11, 0)
    assert classification.due_at == at(2026, 11, 3, 11, 0)
    task = complaints.current_stage_task(complaint)
    assert (task.stage, task.due_at) == ("classification", classification.due_at)


def test_closing_stops_every_clock(org):
    complaint = org.register(channel="phone")
    org.advance(complaint, "close_at_first_contact", actor="cs", answer="已解释使用方法")
    assert not SlaClock.objects.filter(complaint=complaint, stopped_at__isnull=True).exists()
    answer = SlaClock.objects.get(complaint=complaint, kind="answer")
    assert answer.state == ClockState.MET


def test_web_complaints_must_be_acknowledged_within_the_hour(org):
    complaint = register_at(org, at(2026, 11, 7, 22, 15), channel="web")  # a Saturday night
    assert clocks(complaint)["acknowledge"].due_at == at(2026, 11, 7, 23, 15)


def test_a_narrower_policy_wins_for_the_clocks_it_sets(org):
    strategic = SlaPolicy.objects.create(name="战略客户", priority=5, customer_tier="strategic")
    SlaTarget.objects.create(
        policy=strategic, clock="answer", duration=timedelta(hours=4), basis="working"
    )
    org.customer.tier = "strategic"
    org.customer.save()
    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    c = clocks(complaint)
    assert c["answer"].due_at == at(2026, 11, 2, 14, 30)  # 4 h, lunch skipped
    assert c["first_response"].due_at == at(2026, 11, 3, 9, 0)  # still the default


def test_regrading_to_critical_tightens_running_clocks_and_alerts_the_executive(org):
    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    with time_machine.travel(at(2026, 11, 2, 9, 30), tick=False):
        complaints.override_grade(
            actor=org["qe"],
            complaint_id=complaint.pk,
            severity=Severity.CRITICAL,
            reason="客户产线停线",
        )
    c = clocks(complaint)
    assert c["intake"].due_at == at(2026, 11, 2, 11, 0)  # 2 working hours for 紧急
    assert c["answer"].due_at == at(2026, 11, 3, 9, 0)  # one working day (7 h 30)
    assert complaints.current_stage_task(complaint).due_at == c["intake"].due_at
    titles = dict(complaint.tasks.exclude(kind="stage").values_list("title", "due_at"))
    assert titles == {
        "响应会议 Response meeting": at(2026, 11, 2, 10, 30),
        "向管理层报告 Report to management": at(2026, 11, 3, 9, 30),
    }
    assert_audit_event(complaint, EventKind.ESCALATED, trigger="urgent")
    # A second change of grade does not alert twice.
    complaints.override_grade(
        actor=org["qe"], complaint_id=complaint.pk, severity=Severity.MAJOR, reason="已恢复"
    )
    complaints.override_grade(
        actor=org["qe"], complaint_id=complaint.pk, severity=Severity.CRITICAL, reason="再次停线"
    )
    assert complaint.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_a_claim_opens_the_response_meeting_at_registration(org):
    complaint = register_at(
        org, at(2026, 11, 2, 9, 0), channel="phone", requested_remedy=Remedy.CLAIM
    )
    meeting = complaint.tasks.get(title="响应会议 Response meeting")
    assert meeting.due_at == at(2026, 11, 2, 10, 0)
    assert meeting.status == TaskStatus.OPEN
    with translation.override("en"):
        assert complaint.events.get(kind=EventKind.ESCALATED).data["to"] == ["exec"]


def test_the_plant_lead_executive_is_the_one_alerted(org):
    from qualityloop.accounts.choices import Role
    from qualityloop.accounts.models import User

    lead = User.objects.create(
        username="plant_gm", role=Role.EXECUTIVE, display_name="深圳厂总经理"
    )
    org.site.lead_executive = lead
    org.site.save()
    complaint = org.register(requested_remedy=Remedy.RETURN)
    assert complaint.events.get(kind=EventKind.ESCALATED).data["to"] == ["深圳厂总经理"]


def test_the_complainants_reply_takes_the_complaint_off_hold(org):
    from qualityloop.correspondence import services as correspondence

    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        services.wait_for_complainant(actor=org["cs"], complaint_id=complaint.pk, reason="照片")
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False):
        correspondence.record_received(
            actor=org["cs"], complaint_id=complaint.pk, channel="phone", body="客户已发来照片"
        )
    complaint.refresh_from_db()
    assert complaint.waiting_since is None
    assert clocks(complaint)["first_response"].due_at == at(2026, 11, 4, 9, 0)
    assert_audit_event(complaint, EventKind.RESUMED, waited_minutes=24 * 60)


def test_a_message_from_a_person_is_the_first_response(org):
    from qualityloop.correspondence import services as correspondence

    complaint = register_at(org, at(2026, 11, 2, 9, 0), channel="phone")
    with time_machine.travel(at(2026, 11, 2, 11, 0), tick=False):
        correspondence.send_message(
            actor=org["cs"],
            complaint_id=complaint.pk,
            channel="phone",
            subject="进度",
            body="已收到，工程师正在分析，预计周三给出方案。",
        )
    first = SlaClock.objects.get(complaint=complaint, kind="first_response")
    assert (first.state, first.stopped_at) == (ClockState.MET, at(2026, 11, 2, 11, 0))
    assert "answer" in clocks(complaint)  # the answer is still owed
