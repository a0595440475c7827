"""The system record: append-only, hash-chained, written by one function, verified."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models.deletion import ProtectedError

from qualityloop.core import audit, chain, clock
from qualityloop.core.models import SystemEvent, SystemRecordHead
from qualityloop.testing import aware, in_parallel

audit.register_kinds({"test_setting_changed": "Setting changed (test)"})
KIND = "test_setting_changed"


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params=()):
    """What an intruder with database rights would do, past the append-only guard."""
    if connection.vendor == "postgresql":
        _raw("SET session_replication_role = replica")
        try:
            _raw(sql, params)
        finally:
            _raw("SET session_replication_role = DEFAULT")
    else:
        _raw(sql, params)


@pytest.fixture
def record(org):
    """Three events: two by the administrator about a department, one by the system."""
    qa = org.departments["qa"]
    with clock.at(aware(2026, 3, 2, 9, 0)):
        audit.record_system_event(kind=KIND, actor=org["admin"], obj=qa, data={"n": 1})
    with clock.at(aware(2026, 3, 2, 9, 5)):
        audit.record_system_event(
            kind=KIND, actor=org["admin"], obj=qa, data={"n": 2}, reason="审核要求"
        )
    with clock.at(aware(2026, 3, 2, 9, 10)):
        audit.record_system_event(kind=KIND, actor=None)
    return org


def test_events_chain_in_order_with_what_happened(record):
    first, second, third = SystemEvent.objects.order_by("seq")
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    qa = record.departments["qa"]
    assert (first.kind, first.actor, first.at) == (KIND, record["admin"], aware(2026, 3, 2, 9))
    assert (first.object_type, first.object_id, first.object_label) == (
        "accounts.Department",
        str(qa.pk),
        str(qa),
    )
    assert (second.data, second.reason) == ({"n": 2}, "审核要求")
    assert (third.actor, third.object_type, third.object_label) == (None, "", "")
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = SystemRecordHead.objects.get()
    assert (head.event_count, head.last_hash) == (3, third.hash)
    assert list(audit.events_about(qa).values_list("seq", flat=True)) == [2, 1]


def test_intact_record_verifies(record, capsys):
    assert audit.verify_system_record() == (3, [])
    call_command("verify_events")
    assert "3 events of the system record verified: intact." in capsys.readouterr().out


def test_an_empty_record_verifies(db):
    assert audit.verify_system_record() == (0, [])


def test_a_kind_must_be_registered_before_it_is_written(org):
    with pytest.raises(ValueError, match="not registered"):
        audit.record_system_event(kind="nobody_declared_this", actor=org["admin"])
    assert not SystemEvent.objects.exists()
    assert audit.kind_label(KIND) == "Setting changed (test)"


def test_the_application_cannot_change_or_delete_events(record):
    event = SystemEvent.objects.first()
    event.reason = "改写"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SystemEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        SystemEvent.objects.all().delete()
    assert audit.verify_system_record() == (3, [])


def test_an_actor_on_the_record_cannot_be_deleted(record):
    with pytest.raises(ProtectedError):
        record["admin"].delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_refuses_updates_and_deletes_even_in_raw_sql(record):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("UPDATE core_systemevent SET reason = 'x'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("DELETE FROM core_systemevent")
    with pytest.raises(Exception, match="head is kept"), transaction.atomic():
        _raw("DELETE FROM core_systemrecordhead")
    assert audit.verify_system_record() == (3, [])


def test_changed_content_is_detected_and_named(record, capsys):
    _tamper("UPDATE core_systemevent SET reason = %s WHERE seq = 2", ["无"])
    _, problems = audit.verify_system_record()
    assert [str(p) for p in problems] == ["system record#2: content does not match its hash"]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_events")
    assert "system record#2: content does not match its hash" in capsys.readouterr().err


def test_a_changed_actor_is_detected(record):
    _tamper("UPDATE core_systemevent SET actor_id = %s WHERE seq = 1", [record["cs"].pk])
    _, problems = audit.verify_system_record()
    assert [str(p) for p in problems] == ["system record#1: content does not match its hash"]


def test_removed_event_is_detected(record):
    _tamper("DELETE FROM core_systemevent WHERE seq = 2")
    _, problems = audit.verify_system_record()
    assert [str(p) for p in problems] == [
        "system record#3: expected event #2",
        "system record#3: link to the previous event broken",
    ]


def test_removed_last_event_is_detected(record):
    _tamper("DELETE FROM core_systemevent WHERE seq = 3")
    _, problems = audit.verify_system_record()
    assert [str(p) for p in problems] == ["system record: record ends at #2, expected #3"]


def test_removed_head_is_detected(record):
    _tamper("DELETE FROM core_systemrecordhead")
    _, problems = audit.verify_system_record()
    assert [str(p) for p in problems] == ["system record: record ends at #3, expected #0"]


def test_the_hash_encoding_is_the_one_complaint_records_were_written_with():
    """Complaint chains written before the hashing moved to core.chain still verify."""
    content = {
        "complaint": "QC-2026-000001",
        "seq": 3,
        "kind": "transition",
        "actor": 7,
        "at": datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))
        .astimezone(UTC)
        .isoformat(),
        "data": {"from": "新建", "to": "acknowledged", "amount": "12.50"},
        "reason": "客户来电",
        "prev": "ab" * 32,
    }
    assert chain.digest(content) == (
        "9edfa7d2f320c1f2591826ba424cb8f9f6d0871380fb12c33fb99fc6297750df"
    )


@pytest.mark.postgres_only
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs real row locks")
def test_parallel_writers_chain_one_after_another(org_tx):
    workers = 8
    admin = org_tx["admin"]
    department = org_tx.departments["qa"]

    def write(i):
        with transaction.atomic():
            event = audit.record_system_event(
                kind=KIND, actor=admin, obj=department, data={"writer": i}
            )
            return event.seq

    results = in_parallel(workers, write)
    assert sorted(results) == list(range(1, workers + 1)), results
    assert audit.verify_system_record() == (workers, [])
    assert sorted(e["writer"] for e in SystemEvent.objects.values_list("data", flat=True)) == list(
        range(workers)
    )
