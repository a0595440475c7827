"""Deadline tasks, queued for the exact moment they are due. Each takes ids, re-reads state
and acts at most once (see escalation.py), so a late or repeated run is harmless."""

from datetime import date

from django_tasks import task

from . import escalation, summaries


@task()
def clock_warning(clock_id: int, generation: int) -> bool:
    return escalation.fire_warning(clock_id=clock_id, generation=generation)


@task()
def clock_deadline(clock_id: int, generation: int) -> bool:
    return escalation.fire_deadline(clock_id=clock_id, generation=generation)


@task()
def clock_escalation(clock_id: int, generation: int, level: int) -> bool:
    return escalation.fire_escalation(clock_id=clock_id, generation=generation, level=level)


@task()
def major_case_check(complaint_id: int) -> bool:
    return escalation.open_major_case_if_due(complaint_id=complaint_id) is not None


@task()
def management_summary(period: str, period_start: str) -> bool:
    return summaries.send_summary(period=period, period_start=date.fromisoformat(period_start))
