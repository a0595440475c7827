"""Deadlines fire from the database queue at their time, once, and catch up after downtime.

These run the real worker (qualityloop.testing.run_worker) against committed rows, with the clock
frozen by time_machine: nothing sleeps."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualityloop.complaints import services as complaints
from qualityloop.complaints.choices import EventKind, Scope
from qualityloop.notifications.models import Notification
from qualityloop.sla import escalation, services
from qualityloop.sla.models import MajorCase, SlaClock
from qualityloop.testing import run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def notes(user, event):
    return Notification.objects.filter(recipient=user, event=event).count()


def register(org, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return org.register(received_at=moment, channel="phone", **fields)


def test_the_deadline_fires_once_at_its_time_and_climbs_the_chain(org_tx):
    org = org_tx
    # 重要 (a batch), Monday 2 November 2026 09:00; intake is due 4 working hours later.
    complaint = register(org, at(2026, 11, 2, 9, 0), scope=Scope.BATCH)
    intake = SlaClock.objects.get(complaint=complaint, kind="intake")
    assert intake.due_at == at(2026, 11, 2, 14, 30)
    task = complaints.current_stage_task(complaint)
    complaints.assign_task(actor=org["qe"], task_id=task.pk, assignee_id=org["cs"].pk)

    with time_machine.travel(at(2026, 11, 2, 14, 29), tick=False):
        run_worker()
    intake.refresh_from_db()
    assert intake.missed_at is None
    assert intake.warned_at == at(2026, 11, 2, 14, 29)  # the 80 % warning ran (due 13:30)
    assert notes(org["cs"], "sla_warning") == 1
    assert notes(org["cs"], "sla_missed") == 0

    with time_machine.travel(at(2026, 11, 2, 14, 30, 1), tick=False):
        run_worker()
        run_worker()
    intake.refresh_from_db()
    assert intake.missed_at == at(2026, 11, 2, 14, 30, 1)
    assert notes(org["cs"], "sla_missed") == 1
    assert complaint.events.filter(kind=EventKind.CLOCK_MISSED).count() == 1
    assert intake.escalation_level == 1  # the owner, at once

    # The department head hears 4 h after the deadline (重要), not before.
    with time_machine.travel(at(2026, 11, 2, 18, 29), tick=False):
        run_worker()
    assert SlaClock.objects.get(pk=intake.pk).escalation_level == 1
    with time_machine.travel(at(2026, 11, 2, 18, 31), tick=False):
        run_worker()
        run_worker()
    intake.refresh_from_db()
    assert intake.escalation_level == 2
    escalations = complaint.events.filter(kind=EventKind.ESCALATED).order_by("seq")
    assert [e.data["level"] for e in escalations] == [1, 2]
    assert escalations[1].data["late_minutes"] == 4 * 60 + 1


def test_a_stopped_clock_fires_nothing(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0))
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        org.advance(complaint, "acknowledge", actor="cs")
    with time_machine.travel(at(2026, 11, 4, 9, 0), tick=False):
        run_worker()
    intake = SlaClock.objects.get(complaint=complaint, kind="intake")
    assert (intake.missed_at, intake.warned_at, intake.escalation_level) == (None, None, 0)


def test_a_paused_and_resumed_clock_fires_at_its_new_time_only(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0))
    first = SlaClock.objects.get(complaint=complaint, kind="first_response")
    assert first.due_at == at(2026, 11, 3, 9, 0)
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        services.wait_for_complainant(actor=org["cs"], complaint_id=complaint.pk, reason="样品")
    with time_machine.travel(at(2026, 11, 3, 9, 30), tick=False):
        run_worker()  # the original deadline's task finds the clock paused
        assert SlaClock.objects.get(pk=first.pk).missed_at is None
        services.resume_from_waiting(actor=org["cs"], complaint_id=complaint.pk)
    first.refresh_from_db()
    # 6 h 30 were left at the pause: Tuesday 09:30–12:00 and 13:30–17:30.
    assert first.due_at == at(2026, 11, 3, 17, 30)
    with time_machine.travel(first.due_at - timedelta(seconds=1), tick=False):
        run_worker()
    assert SlaClock.objects.get(pk=first.pk).missed_at is None
    with time_machine.travel(first.due_at + timedelta(seconds=1), tick=False):
        run_worker()
    assert SlaClock.objects.get(pk=first.pk).missed_at is not None


def test_after_a_day_of_worker_downtime_everything_due_happens_once(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0), scope=Scope.BATCH)
    # Nobody ran a worker until Friday: every rung of the chain is due by now.
    with time_machine.travel(at(2026, 11, 6, 12, 0), tick=False):
        ran = run_worker()
        run_worker()
    assert ran > 0
    intake = SlaClock.objects.get(complaint=complaint, kind="intake")
    assert intake.escalation_level == 4
    levels = [
        e.data["level"]
        for e in complaint.events.filter(kind=EventKind.ESCALATED).order_by("seq")
        if e.data.get("clock") == "intake"
    ]
    assert levels == [1, 2, 3, 4]
    # No warning after the deadline has passed: it would only add noise.
    assert intake.warned_at is None
    assert notes(org["exec"], "escalation") >= 1


def test_a_complaint_open_for_a_week_becomes_a_major_quality_case(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0))
    with time_machine.travel(at(2026, 11, 9, 8, 59), tick=False):
        run_worker()
    assert not MajorCase.objects.filter(complaint=complaint).exists()
    with time_machine.travel(at(2026, 11, 9, 9, 1), tick=False):
        run_worker()
        run_worker()
    case = MajorCase.objects.get(complaint=complaint)
    assert case.opened_at == at(2026, 11, 9, 9, 1)
    assert complaint.events.filter(kind=EventKind.MAJOR_CASE).count() == 1
    assert complaint.tasks.get(kind="rectification_plan").status == "open"
    assert notes(org["exec"], "major_case") == 1
    complaint.refresh_from_db()
    facts = complaints.facts(complaint, complaints.current_stage_task(complaint))
    assert facts.major_case_unplanned


def test_a_closed_complaint_never_becomes_a_major_case(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0))
    with time_machine.travel(at(2026, 11, 2, 9, 30), tick=False):
        org.advance(complaint, "close_at_first_contact", actor="cs", answer="已说明")
    with time_machine.travel(at(2026, 11, 10, 9, 0), tick=False):
        run_worker()
    assert not MajorCase.objects.exists()


def test_one_due_task_costs_a_bounded_number_of_queries(org_tx):
    org = org_tx
    complaint = register(org, at(2026, 11, 2, 9, 0), scope=Scope.BATCH)
    intake = SlaClock.objects.get(complaint=complaint, kind="intake")
    with (
        time_machine.travel(at(2026, 11, 2, 14, 31), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert escalation.fire_deadline(clock_id=intake.pk, generation=intake.generation)
    assert len(queries) <= 40
