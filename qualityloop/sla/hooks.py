"""Deadlines react to a complaint's life: clocks start, stop, pause and move; urgent
complaints alert at once; a complaint open too long becomes a major case."""

from qualityloop.core import clock as wallclock

from . import clocks, escalation
from .models import MajorCase


def registered(complaint, *, actor) -> None:
    clocks.on_registered(complaint)
    escalation.on_urgent(complaint, actor=actor)
    escalation.schedule_major_case_check(complaint)


def stage_entered(complaint, *, stage, actor, at) -> None:
    clocks.on_stage_entered(complaint, stage, at=at)


def stage_due(complaint, *, stage):
    if stage not in clocks.STAGE_CLOCKS:
        return None
    running = complaint.clocks.filter(kind=stage, stopped_at__isnull=True).first()
    return running.due_at if running else None


def stage_left(complaint, *, stage, transition, actor, at) -> None:
    clocks.on_stage_left(complaint, stage, at=at)


def replanned(complaint, *, actor) -> None:
    clocks.replan(complaint, at=wallclock.now())
    escalation.on_urgent(complaint, actor=actor)


def acknowledged(complaint, *, at) -> None:
    clocks.on_acknowledged(complaint, at=at)


def answered(complaint, *, actor, at, transition) -> None:
    clocks.on_answered(complaint, at=at)


def reopened(complaint, *, actor, at) -> None:
    clocks.on_reopened(complaint, at=at)


def finished(complaint, *, transition, actor, at) -> None:
    clocks.on_final(complaint, at=at)


def gate_facts(complaint) -> dict:
    unplanned = MajorCase.objects.filter(complaint=complaint, plan_submitted_at__isnull=True)
    return {"major_case_unplanned": unplanned.exists()}
