"""Writing and checking the append-only record of a complaint.

One small function writes every event; services call it inside their transaction, with the
complaint row already locked, so ``seq`` and the hash chain never fork.
"""

import json
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder

from qualityloop.core import chain, clock

from . import hooks
from .choices import EventKind
from .models import Complaint, ComplaintEvent


def kind_label(kind: str) -> str:
    """What a person reads for an event kind: the register's own kinds, and those the
    subscribed apps declare (``event_kinds`` hook), so an app adds kinds without a migration
    here."""
    if kind in EventKind.values:
        return str(EventKind(kind).label)
    for declared in hooks.collect("event_kinds"):
        if kind in declared:
            return str(declared[kind])
    return kind


def _digest(*, complaint_number: str, seq: int, kind: str, actor_id, at, data, reason, prev):
    return chain.digest(
        {
            "complaint": complaint_number,
            "seq": seq,
            "kind": kind,
            "actor": actor_id,
            # The database hands times back in UTC, so the hash must see them in UTC too.
            "at": at.astimezone(UTC).isoformat(),
            "data": data,
            "reason": reason,
            "prev": prev,
        }
    )


def record(
    complaint: Complaint, kind: str, *, actor, data=None, reason: str = ""
) -> ComplaintEvent:
    """Append one event to ``complaint`` (whose row the caller holds locked)."""
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    at = clock.now().replace(microsecond=0)
    seq = complaint.event_count + 1
    prev = complaint.last_event_hash
    actor_id = actor.pk if actor else None
    digest = _digest(
        complaint_number=complaint.number,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        at=at,
        data=data,
        reason=reason,
        prev=prev,
    )
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        at=at,
        data=data,
        reason=reason,
        prev_hash=prev,
        hash=digest,
    )
    complaint.event_count = seq
    complaint.last_event_hash = digest
    Complaint.objects.filter(pk=complaint.pk).update(event_count=seq, last_event_hash=digest)
    return event


@dataclass(frozen=True)
class ChainProblem:
    complaint_number: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else ""
        return f"{self.complaint_number}{where}: {self.problem}"


def verify_chain(complaints=None, *, chunk: int = 500) -> tuple[int, list[ChainProblem]]:
    """Recompute every hash. Returns (events checked, problems found)."""
    complaints = complaints if complaints is not None else Complaint.objects.all()
    checked = 0
    problems: list[ChainProblem] = []
    heads = complaints.order_by("pk").values_list("pk", "number", "event_count", "last_event_hash")
    for pk, number, count, head in heads.iterator(chunk_size=chunk):
        prev = ""
        expected_seq = 1
        for ev in ComplaintEvent.objects.filter(complaint_id=pk).order_by("seq").iterator():
            checked += 1
            if ev.seq != expected_seq:
                problems.append(ChainProblem(number, ev.seq, f"expected event #{expected_seq}"))
            if ev.prev_hash != prev:
                problems.append(ChainProblem(number, ev.seq, "link to the previous event broken"))
            digest = _digest(
                complaint_number=number,
                seq=ev.seq,
                kind=ev.kind,
                actor_id=ev.actor_id,
                at=ev.at,
                data=ev.data,
                reason=ev.reason,
                prev=ev.prev_hash,
            )
            if digest != ev.hash:
                problems.append(ChainProblem(number, ev.seq, "content does not match its hash"))
            prev = ev.hash
            expected_seq = ev.seq + 1
        if expected_seq - 1 != count or prev != head:
            problems.append(
                ChainProblem(number, None, f"record ends at #{expected_seq - 1}, expected #{count}")
            )
    return checked, problems
