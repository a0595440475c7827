"""Weekly and monthly management summaries go out once per period, from the task queue."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from qualityloop.notifications.models import Notification
from qualityloop.sla import summaries
from qualityloop.sla.models import SummaryRun
from qualityloop.testing import run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def register(org, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return org.register(received_at=moment, channel="phone", **fields)


def test_the_weekly_summary_counts_the_week_and_goes_out_once(org_tx):
    org = org_tx
    org["exec"].email = "gm@example.com"
    org["exec"].save()
    register(org, at(2026, 10, 30, 10, 0))  # the week before
    first = register(org, at(2026, 11, 3, 10, 0))
    register(org, at(2026, 11, 5, 10, 0))
    with time_machine.travel(at(2026, 11, 4, 12, 0), tick=False):
        org.advance(first, "reject", actor="cs")
        assert summaries.ensure_scheduled() == ["weekly", "monthly"]
        assert summaries.ensure_scheduled() == []  # already waiting: nothing doubles

    with time_machine.travel(at(2026, 11, 9, 7, 59), tick=False):
        run_worker()
    assert not SummaryRun.objects.exists()

    with time_machine.travel(at(2026, 11, 9, 8, 0, 30), tick=False):
        run_worker()
        run_worker()
    run = SummaryRun.objects.get(period="weekly")
    assert run.period_start == date(2026, 11, 2)
    note = Notification.objects.get(recipient=org["exec"], event="summary")
    assert note.data["counts"] == {
        "new": 2,
        "closed": 1,
        "open": 2,
        "overdue": 2,
        "major_cases": 0,
    }
    assert [m.to for m in mail.outbox if "2026-11-02" in m.subject] == [["gm@example.com"]]
    # The next week is already queued, and only once.
    with time_machine.travel(at(2026, 11, 16, 8, 1), tick=False):
        run_worker()
    assert list(
        SummaryRun.objects.filter(period="weekly").values_list("period_start", flat=True)
    ) == [date(2026, 11, 2), date(2026, 11, 9)]


def test_after_downtime_each_missed_period_is_sent_once(org_tx):
    with time_machine.travel(at(2026, 11, 4, 12, 0), tick=False):
        summaries.ensure_scheduled()
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        run_worker()
        run_worker()
    weeks = list(
        SummaryRun.objects.filter(period="weekly")
        .order_by("period_start")
        .values_list("period_start", flat=True)
    )
    assert weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert list(
        SummaryRun.objects.filter(period="monthly").values_list("period_start", flat=True)
    ) == [date(2026, 11, 1)]
