"""The append-only record: nobody edits it, and any alteration is found."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from qualityloop.complaints import services
from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint, ComplaintEvent


@pytest.fixture
def history(org):
    a = org.register(is_repeat=False)
    org.advance(a, "acknowledge", "confirm_grade", actor="cs")
    services.add_comment(actor=org["qe"], complaint_id=a.pk, body="请尽快处理")
    b = org.register(title="包装破损")
    return a, b


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params=()):
    """What an intruder with database rights would do, past the append-only guard."""
    if connection.vendor == "postgresql":
        # A superuser can switch ordinary triggers off for the session.
        _raw("SET session_replication_role = replica")
        try:
            _raw(sql, params)
        finally:
            _raw("SET session_replication_role = DEFAULT")
    else:
        _raw(sql, params)


def test_intact_history_verifies(history, capsys):
    checked, problems = verify_chain()
    assert problems == []
    assert checked == ComplaintEvent.objects.count() == 9
    call_command("verify_events")
    assert "9 events of 2 complaints verified: intact." in capsys.readouterr().out


def test_the_application_cannot_change_or_delete_events(history):
    event = ComplaintEvent.objects.first()
    event.reason = "改写"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ComplaintEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        ComplaintEvent.objects.all().delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_refuses_updates_even_in_raw_sql(history):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("UPDATE complaints_complaintevent SET reason = 'x'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("DELETE FROM complaints_complaintevent")


def test_changed_content_is_detected(history):
    a, _ = history
    _tamper(
        "UPDATE complaints_complaintevent SET data = %s WHERE complaint_id = %s AND seq = 6",
        ['{"body": "一切正常"}', a.pk],
    )
    _, problems = verify_chain()
    assert [str(p) for p in problems] == [f"{a.number}#6: content does not match its hash"]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_events")


def test_removed_event_is_detected(history):
    a, _ = history
    _tamper("DELETE FROM complaints_complaintevent WHERE complaint_id = %s AND seq = 3", [a.pk])
    _, problems = verify_chain()
    assert [str(p) for p in problems] == [
        f"{a.number}#4: expected event #3",
        f"{a.number}#4: link to the previous event broken",
    ]


def test_removed_last_event_is_detected(history):
    a, _ = history
    last = Complaint.objects.get(pk=a.pk).event_count
    _tamper(
        "DELETE FROM complaints_complaintevent WHERE complaint_id = %s AND seq = %s", [a.pk, last]
    )
    _, problems = verify_chain()
    assert [str(p) for p in problems] == [
        f"{a.number}: record ends at #{last - 1}, expected #{last}"
    ]


def test_rewritten_actor_is_detected(history, org):
    a, _ = history
    _tamper(
        "UPDATE complaints_complaintevent SET actor_id = %s WHERE complaint_id = %s AND seq = 1",
        [org["exec"].pk, a.pk],
    )
    _, problems = verify_chain()
    assert [str(p) for p in problems] == [f"{a.number}#1: content does not match its hash"]


def test_history_recorded_at_local_times_verifies(org):
    from qualityloop.core import clock
    from qualityloop.testing import aware

    with clock.at(aware(2026, 2, 3, 9, 15)):
        complaint = org.register(is_repeat=False)
    with clock.at(aware(2026, 2, 3, 11, 40)):
        org.advance(complaint, "acknowledge", actor="cs")
    assert verify_chain()[1] == []
