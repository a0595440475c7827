"""Writing and checking the system record (security and configuration events).

``record_system_event`` is the one writer. It holds the lock on the record's head row until the
caller's transaction ends, so concurrent writers, in any process, chain one after another.
"""

import json
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from . import chain, clock
from .models import SystemEvent, SystemRecordHead

HEAD = 1
_labels: dict[str, object] = {}


def register_kinds(labels: dict) -> None:
    """Declare kinds of system event with their (lazily translated) labels.

    The app that writes a kind registers it, at import of the module that writes it.
    """
    for kind, label in labels.items():
        if len(kind) > SystemEvent._meta.get_field("kind").max_length:
            raise ValueError(f"system event kind “{kind}” is too long")
        _labels[kind] = label


def kind_label(kind: str) -> str:
    return str(_labels.get(kind, kind))


def registered_kinds() -> dict:
    return dict(_labels)


def _digest(event: SystemEvent) -> str:
    """The hash of an event's content and its link to the one before."""
    return chain.digest(
        {
            "system": event.seq,
            "kind": event.kind,
            "actor": event.actor_id,
            # The database hands times back in UTC, so the hash must see them in UTC too.
            "at": event.at.astimezone(UTC).isoformat(),
            "object": [event.object_type, event.object_id, event.object_label],
            "data": event.data,
            "reason": event.reason,
            "prev": event.prev_hash,
        }
    )


def record_system_event(
    *, kind: str, actor, obj: models.Model | None = None, data=None, reason: str = ""
) -> SystemEvent:
    """Append one event about ``obj`` (if any), in the caller's transaction.

    ``kind`` must have been registered; ``actor`` is the user who acted, or None for the
    system itself.
    """
    if kind not in _labels:
        raise ValueError(f"system event kind “{kind}” is not registered")
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = SystemEvent(
        kind=kind,
        actor_id=actor.pk if actor else None,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:200] if obj is not None else "",
        data=data,
        reason=reason,
    )
    with transaction.atomic():
        # The head row appears with the first event (or after a test emptied the tables);
        # ON CONFLICT DO NOTHING lets two first writers race without an error.
        SystemRecordHead.objects.bulk_create([SystemRecordHead(pk=HEAD)], ignore_conflicts=True)
        head = SystemRecordHead.objects.select_for_update().get(pk=HEAD)
        event.seq, event.at, event.prev_hash = head.event_count + 1, clock.now(), head.last_hash
        event.hash = _digest(event)
        event.save()
        SystemRecordHead.objects.filter(pk=HEAD).update(event_count=event.seq, last_hash=event.hash)
    return event


def events_about(obj: models.Model):
    """The system events about ``obj``, newest first."""
    return SystemEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))


@dataclass(frozen=True)
class SystemRecordProblem:
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else ""
        return f"system record{where}: {self.problem}"


def verify_system_record(*, chunk: int = 500) -> tuple[int, list[SystemRecordProblem]]:
    """Recompute every hash of the system record. Returns (events checked, problems found)."""
    head = SystemRecordHead.objects.filter(pk=HEAD).first()
    count, last = (head.event_count, head.last_hash) if head else (0, "")
    checked = 0
    problems: list[SystemRecordProblem] = []
    prev = ""
    expected_seq = 1
    for ev in SystemEvent.objects.order_by("seq").iterator(chunk_size=chunk):
        checked += 1
        if ev.seq != expected_seq:
            problems.append(SystemRecordProblem(ev.seq, f"expected event #{expected_seq}"))
        if ev.prev_hash != prev:
            problems.append(SystemRecordProblem(ev.seq, "link to the previous event broken"))
        if _digest(ev) != ev.hash:
            problems.append(SystemRecordProblem(ev.seq, "content does not match its hash"))
        prev = ev.hash
        expected_seq = ev.seq + 1
    if expected_seq - 1 != count or prev != last:
        problems.append(
            SystemRecordProblem(None, f"record ends at #{expected_seq - 1}, expected #{count}")
        )
    return checked, problems
