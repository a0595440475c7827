"""Weekly and monthly summaries to management, scheduled by the same task queue as deadlines.

Each run is queued for its exact time with the period it covers, and queues the next one when
it has sent; a unique row per period makes it go out once however many workers there are or
however late the run is. ``ensure_scheduled`` (run when a worker starts) queues the next run
if none is waiting, so a fresh install starts the cycle by itself.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from qualityloop.accounts.choices import DepartmentKind, Role
from qualityloop.accounts.models import User
from qualityloop.complaints.models import Complaint, StageTask
from qualityloop.complaints.workflow import FINAL
from qualityloop.core import clock as wallclock
from qualityloop.core.effects import after_commit
from qualityloop.notifications.choices import NotifyEvent
from qualityloop.notifications.services import notify

from . import tasks
from .models import MajorCase, SummaryRun

WEEKLY, MONTHLY = "weekly", "monthly"
SEND_AT = time(8, 0)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def period_end(period: str, start: date) -> date:
    """The first day after the period."""
    if period == WEEKLY:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_period(period: str, now: datetime) -> date:
    """The start of the next period not yet over at ``now``'s local date."""
    today = now.astimezone(_tz()).date()
    if period == WEEKLY:
        return today - timedelta(days=today.weekday())
    return today.replace(day=1)


def send_time(period: str, start: date) -> datetime:
    """Reports go out at 08:00 on the first day after the period."""
    return datetime.combine(period_end(period, start), SEND_AT, _tz())


def counts(start: date, end: date) -> dict[str, int]:
    tz = _tz()
    lo, hi = datetime.combine(start, time(0), tz), datetime.combine(end, time(0), tz)
    open_at_end = Complaint.objects.filter(received_at__lt=hi).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=hi)
    )
    overdue = (
        StageTask.objects.filter(opened_at__lt=hi, due_at__lt=hi)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=hi))
        .exclude(complaint__status__in=FINAL, complaint__closed_at__lt=hi)
        .values("complaint")
        .distinct()
    )
    return {
        "new": Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi).count(),
        "closed": Complaint.objects.filter(closed_at__gte=lo, closed_at__lt=hi).count(),
        "open": open_at_end.count(),
        "overdue": overdue.count(),
        "major_cases": MajorCase.objects.filter(opened_at__gte=lo, opened_at__lt=hi).count(),
    }


def management() -> list[User]:
    """Executives and the heads of quality."""
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.EXECUTIVE)
            | Q(role=Role.DEPARTMENT_HEAD, department__kind=DepartmentKind.QUALITY)
        )
    )


def send_summary(*, period: str, period_start: date) -> bool:
    """Send one period's summary; False if it already went out or the period is not over."""
    now = wallclock.now()
    end = period_end(period, period_start)
    if now < send_time(period, period_start):
        return False
    people = management()
    try:
        with transaction.atomic():
            SummaryRun.objects.create(
                period=period, period_start=period_start, sent_at=now, recipients=len(people)
            )
            label = f"{period_start:%Y-%m-%d} – {end - timedelta(days=1):%Y-%m-%d}"
            notify(
                event=NotifyEvent.SUMMARY,
                recipients=people,
                complaint=None,
                data={
                    "period": period,
                    "period_label": label,
                    "counts": counts(period_start, end),
                },
            )
    except IntegrityError:
        return False
    schedule(period, end)
    return True


def schedule(period: str, start: date) -> None:
    """Queue the run for the period starting ``start``, after the current transaction."""
    when = send_time(period, start)
    after_commit(
        lambda: tasks.management_summary.using(run_after=when).enqueue(period, start.isoformat())
    )


def ensure_scheduled() -> list[str]:
    """Queue the next weekly and monthly runs unless one is already waiting."""
    queued = []
    waiting = DBTaskResult.objects.filter(
        status="READY", task_path=tasks.management_summary.module_path
    ).values_list("args_kwargs", flat=True)
    waiting_periods = {(a.get("args") or [None])[0] for a in waiting}
    now = wallclock.now()
    for period in (WEEKLY, MONTHLY):
        if period in waiting_periods:
            continue
        start = next_period(period, now)
        if SummaryRun.objects.filter(period=period, period_start=start).exists():
            start = period_end(period, start)
        schedule(period, start)
        queued.append(period)
    return queued
