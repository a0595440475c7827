"""SLA clocks: start, pause, resume and stop the deadlines of a complaint, and schedule the
background tasks that fire at the warning and the deadline.

The complaint services call the ``on_*`` hooks inside their own transaction, with the
complaint row locked; nothing here commits on its own. A clock copies its target, basis and
calendar when it starts, so later policy edits never move a running deadline. Each time a
clock's due time moves its ``generation`` goes up, and a task scheduled for an older
generation finds nothing to do: no sweeps, no cancelling of queued tasks.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from qualityloop.complaints.choices import CLAIM_OR_RETURN, Severity
from qualityloop.complaints.models import Category, Complaint
from qualityloop.core import clock as wallclock
from qualityloop.core.effects import after_commit

from . import calendars, tasks
from .choices import Basis, ClockKind
from .models import BusinessCalendar, SlaClock, SlaPolicy, SlaTarget

FROM_RECEIPT = (
    ClockKind.ACKNOWLEDGE,
    ClockKind.FIRST_RESPONSE,
    ClockKind.ANSWER,
    ClockKind.CONTAINMENT,
    ClockKind.CLOSURE,
)
STAGE_CLOCKS = frozenset(
    {
        ClockKind.INTAKE,
        ClockKind.CLASSIFICATION,
        ClockKind.DIAGNOSIS,
        ClockKind.ROOT_CAUSE,
        ClockKind.CAPA_PLAN,
        ClockKind.EXECUTION,
        ClockKind.VERIFICATION,
        ClockKind.KNOWLEDGE,
    }
)


# ---------------------------------------------------------------- arithmetic


class Arithmetic:
    """Working-time or calendar-time sums for one calendar, built once per service call."""

    def __init__(self):
        self._cache: dict[int, object] = {}

    def _wt(self, calendar: BusinessCalendar):
        if calendar.pk not in self._cache:
            self._cache[calendar.pk] = calendars.working_time(calendar)
        return self._cache[calendar.pk]

    def add(self, calendar, basis: str, start: datetime, duration: timedelta) -> datetime:
        if basis == Basis.CALENDAR:
            return start + duration
        return self._wt(calendar).add(start, duration)

    def between(self, calendar, basis: str, start: datetime, end: datetime) -> timedelta:
        if basis == Basis.CALENDAR:
            return end - start
        return self._wt(calendar).between(start, end)


def _warn_share(duration: timedelta, percent: int) -> timedelta:
    return timedelta(seconds=round(duration.total_seconds() * percent / 100))


# ---------------------------------------------------------------- policies


def _category_chain(category_id) -> list[int]:
    chain, seen = [], set()
    while category_id and category_id not in seen and len(chain) < 20:
        seen.add(category_id)
        chain.append(category_id)
        category_id = Category.objects.filter(pk=category_id).values_list("parent_id", flat=True)[0]
    return chain


def targets_for(complaint: Complaint) -> dict[str, SlaTarget]:
    """For each clock, the target of the first matching active policy that sets one."""
    tier = complaint.customer.tier if complaint.customer_id else None
    matching = SlaPolicy.objects.filter(is_active=True)
    matching = matching.filter(Q(severity__isnull=True) | Q(severity=complaint.severity))
    matching = matching.filter(Q(channel="") | Q(channel=complaint.channel))
    matching = matching.filter(Q(customer_tier="") | Q(customer_tier=tier or ""))
    categories = _category_chain(complaint.category_id)
    matching = matching.filter(Q(category__isnull=True) | Q(category_id__in=categories))
    chosen: dict[str, SlaTarget] = {}
    targets = (
        SlaTarget.objects.filter(policy__in=matching)
        .select_related("policy")
        .order_by("policy__priority", "policy_id")
    )
    for target in targets:
        chosen.setdefault(target.clock, target)
    return chosen


# ---------------------------------------------------------------- starting and stopping


def _schedule(clock: SlaClock) -> None:
    """Queue the clock's warning and deadline after commit (a replayed history queues
    nothing: the builder calls schedule_running() at the end)."""
    pk, generation, warn_at, due_at = clock.pk, clock.generation, clock.warn_at, clock.due_at
    warn = clock.warned_at is None and warn_at < due_at

    def enqueue():
        if warn:
            tasks.clock_warning.using(run_after=warn_at).enqueue(pk, generation)
        tasks.clock_deadline.using(run_after=due_at).enqueue(pk, generation)

    after_commit(enqueue)


def schedule_running() -> int:
    """Queue the warning and deadline tasks of every running clock (after a deferred build,
    or after restoring a database). Older queued tasks become harmless: generations move."""
    count = 0
    running = SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    for clock in running.iterator():
        with transaction.atomic():
            clock = SlaClock.objects.select_for_update().get(pk=clock.pk)
            clock.generation += 1
            clock.save(update_fields=["generation"])
            if clock.missed_at is None:
                _schedule(clock)
            count += 1
    return count


def start_clock(
    complaint: Complaint,
    kind: str,
    *,
    at: datetime,
    target: SlaTarget | None,
    math: Arithmetic,
    calendar: BusinessCalendar,
) -> SlaClock | None:
    if target is None:
        return None
    due = math.add(calendar, target.basis, at, target.duration)
    warn = math.add(calendar, target.basis, at, _warn_share(target.duration, target.warn_percent))
    clock = SlaClock.objects.create(
        complaint=complaint,
        kind=kind,
        target=target,
        duration=target.duration,
        basis=target.basis,
        warn_percent=target.warn_percent,
        calendar=calendar,
        started_at=at,
        due_at=due,
        warn_at=warn,
    )
    _schedule(clock)
    return clock


def _stop(clock: SlaClock, at: datetime, math: Arithmetic) -> SlaClock:
    if clock.paused_at is not None:
        # Stopped while paused: whatever was left when the pause began decides.
        late = -clock.remaining if clock.remaining and clock.remaining < timedelta(0) else None
    elif at > clock.due_at:
        late = math.between(clock.calendar, clock.basis, clock.due_at, at)
        # Working time may not have passed yet (stopped on a holiday after a missed deadline).
        late = late if late > timedelta(0) else at - clock.due_at
    else:
        late = None
    clock.stopped_at = at
    clock.late_by = late
    clock.generation += 1
    clock.save(update_fields=["stopped_at", "late_by", "generation"])
    return clock


def stop_clocks(complaint: Complaint, kinds, *, at: datetime | None = None) -> list[SlaClock]:
    at = at or wallclock.now()
    math = Arithmetic()
    running = complaint.clocks.filter(stopped_at__isnull=True, kind__in=list(kinds))
    return [_stop(c, at, math) for c in running.select_related("calendar")]


def _running(complaint: Complaint):
    return complaint.clocks.filter(stopped_at__isnull=True).select_related("calendar")


# ---------------------------------------------------------------- hooks for the complaint services


def on_registered(complaint: Complaint) -> dict[str, SlaClock]:
    """Start the clocks that run from receipt. Returns them by kind."""
    targets = targets_for(complaint)
    calendar = calendars.calendar_for(complaint.site_id)
    math = Arithmetic()
    started = {}
    for kind in FROM_RECEIPT:
        started_clock = start_clock(
            complaint,
            kind,
            at=complaint.received_at,
            target=targets.get(kind),
            math=math,
            calendar=calendar,
        )
        if started_clock:
            started[kind] = started_clock
    return started


def on_stage_entered(complaint: Complaint, stage: str, *, at: datetime) -> SlaClock | None:
    """Start the stage's clock; its due time becomes the stage task's."""
    if stage not in STAGE_CLOCKS:
        return None
    stop_clocks(complaint, [stage], at=at)
    at_start = complaint.received_at if stage == ClockKind.INTAKE else at
    return start_clock(
        complaint,
        stage,
        at=at_start,
        target=targets_for(complaint).get(stage),
        math=Arithmetic(),
        calendar=calendars.calendar_for(complaint.site_id),
    )


def on_stage_left(complaint: Complaint, stage: str, *, at: datetime) -> None:
    kinds = [stage]
    if stage == ClockKind.DIAGNOSIS:
        kinds.append(ClockKind.CONTAINMENT)
    stop_clocks(complaint, kinds, at=at)


def on_acknowledged(complaint: Complaint, *, at: datetime) -> None:
    stop_clocks(complaint, [ClockKind.ACKNOWLEDGE], at=at)


def on_message_sent(complaint: Complaint, *, at: datetime) -> None:
    stop_clocks(complaint, [ClockKind.ACKNOWLEDGE, ClockKind.FIRST_RESPONSE], at=at)


def on_answered(complaint: Complaint, *, at: datetime) -> None:
    stop_clocks(
        complaint,
        [ClockKind.ACKNOWLEDGE, ClockKind.FIRST_RESPONSE, ClockKind.ANSWER],
        at=at,
    )


def on_final(complaint: Complaint, *, at: datetime) -> None:
    stop_clocks(complaint, list(ClockKind.values), at=at)


def on_reopened(complaint: Complaint, *, at: datetime) -> None:
    """A reopened complaint owes a new answer and a new closure."""
    targets = targets_for(complaint)
    calendar = calendars.calendar_for(complaint.site_id)
    math = Arithmetic()
    for kind in (ClockKind.ANSWER, ClockKind.CLOSURE):
        start_clock(complaint, kind, at=at, target=targets.get(kind), math=math, calendar=calendar)


def pause(complaint: Complaint, *, at: datetime) -> int:
    """Waiting for the complainant: running clocks keep what they had left."""
    math = Arithmetic()
    paused = 0
    for clock in _running(complaint).filter(paused_at__isnull=True):
        if at >= clock.due_at:
            continue  # already missed: lateness keeps counting
        clock.remaining = math.between(clock.calendar, clock.basis, at, clock.due_at)
        clock.paused_at = at
        clock.generation += 1
        clock.save(update_fields=["remaining", "paused_at", "generation"])
        paused += 1
    return paused


def resume(complaint: Complaint, *, at: datetime) -> int:
    math = Arithmetic()
    resumed = 0
    for clock in _running(complaint).filter(paused_at__isnull=False):
        remaining = clock.remaining or timedelta(0)
        clock.due_at = math.add(clock.calendar, clock.basis, at, remaining)
        warn_left = clock.duration - _warn_share(clock.duration, clock.warn_percent)
        if remaining > warn_left:
            clock.warn_at = math.add(clock.calendar, clock.basis, at, remaining - warn_left)
        else:
            clock.warn_at = at
        clock.paused_at = None
        clock.remaining = None
        clock.generation += 1
        clock.save(update_fields=["due_at", "warn_at", "paused_at", "remaining", "generation"])
        _schedule(clock)
        resumed += 1
    return resumed


def is_urgent(complaint: Complaint) -> bool:
    """Seed 001: critical complaints and returns or claims go to the executive at once."""
    return complaint.severity == Severity.CRITICAL or complaint.requested_remedy in CLAIM_OR_RETURN


def reply_by(complaint: Complaint) -> datetime | None:
    """When the complainant will hear from us: the first-response clock's due time."""
    clock = complaint.clocks.filter(kind=ClockKind.FIRST_RESPONSE).order_by("-started_at").first()
    return clock.due_at if clock else None


def replan(complaint: Complaint, *, at: datetime) -> int:
    """The grade or category changed: running clocks take the targets that now apply,
    counted from when they started. Returns how many moved."""
    targets = targets_for(complaint)
    math = Arithmetic()
    moved = 0
    for clock in _running(complaint).filter(paused_at__isnull=True, missed_at__isnull=True):
        target = targets.get(clock.kind)
        if target is None or (
            target.pk == clock.target_id
            and target.duration == clock.duration
            and target.basis == clock.basis
        ):
            continue
        clock.target = target
        clock.duration, clock.basis, clock.warn_percent = (
            target.duration,
            target.basis,
            target.warn_percent,
        )
        clock.due_at = math.add(clock.calendar, clock.basis, clock.started_at, clock.duration)
        clock.warn_at = math.add(
            clock.calendar,
            clock.basis,
            clock.started_at,
            _warn_share(clock.duration, clock.warn_percent),
        )
        clock.generation += 1
        clock.save()
        _schedule(clock)
        moved += 1
    return moved
