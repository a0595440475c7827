"""The final answer: it becomes the complaint's answer and stops the answer clock."""

from datetime import date, timedelta

import pytest
from django.core import mail

from qualityloop.complaints.models import Complaint, ComplaintEvent
from qualityloop.core.errors import NotAllowed, ValidationFailed
from qualityloop.feedback import services
from qualityloop.feedback.models import FinalAnswer
from qualityloop.sla.models import SlaClock
from qualityloop.testing import assert_audit_event, run_worker

from .conftest import T0, closed, register


def answer(org, complaint, actor="cs", **overrides):
    values = {
        "text": "为您更换3台控制器外壳，并补偿运费。",
        "channel": "phone",
        "answered_on": date(2026, 3, 2),
    }
    values.update(overrides)
    return services.record_final_answer(
        actor=org[actor] if isinstance(actor, str) else actor, complaint_id=complaint.pk, **values
    )


def test_final_answer_sets_the_complaint_answer_and_stops_its_answer_clock(org, frozen):
    complaint = register(org)
    assert SlaClock.objects.get(complaint=complaint, kind="answer").stopped_at is None
    frozen.shift(timedelta(hours=3))

    final = answer(org, complaint, channel="phone", answered_on=date(2026, 3, 2))

    complaint.refresh_from_db()
    assert complaint.customer_answer == "为您更换3台控制器外壳，并补偿运费。"
    assert complaint.customer_answered_at == T0 + timedelta(hours=3)
    clock = SlaClock.objects.get(complaint=complaint, kind="answer")
    assert clock.stopped_at == T0 + timedelta(hours=3)
    assert clock.late_by is None
    assert (final.channel, final.answered_on, final.author, final.is_current) == (
        "phone",
        date(2026, 3, 2),
        org["cs"],
        True,
    )
    assert final.created_at == T0 + timedelta(hours=3)
    event = assert_audit_event(
        complaint, "customer_answer", text="为您更换3台控制器外壳，并补偿运费。"
    )
    assert event.actor == org["cs"]


def test_the_complainant_gets_the_answer_by_e_mail(org, frozen, django_capture_on_commit_callbacks):
    complaint = register(org, complainant_email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        answer(org, complaint, text="更换外壳。")
    run_worker()

    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert "更换外壳。" in mail.outbox[0].body


def test_a_new_answer_supersedes_the_current_one_and_keeps_it(org, frozen):
    complaint = register(org)
    first = answer(org, complaint, text="先退货检测。", channel="email")
    frozen.shift(timedelta(days=1))
    second = answer(
        org, complaint, actor="qe", text="检测后整批更换。", answered_on=date(2026, 3, 3)
    )

    first.refresh_from_db()
    assert first.superseded_at == T0 + timedelta(days=1)
    assert second.superseded_at is None
    assert services.current_final_answer(complaint) == second
    assert list(FinalAnswer.objects.filter(complaint=complaint)) == [second, first]
    complaint.refresh_from_db()
    assert complaint.customer_answer == "检测后整批更换。"


def _unchanged(complaint):
    row = Complaint.objects.get(pk=complaint.pk)
    return (
        row.version,
        row.customer_answer,
        row.customer_answered_at,
        FinalAnswer.objects.count(),
        ComplaintEvent.objects.filter(complaint=complaint).count(),
    )


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"text": "  "}, {"text": ["This field is required."]}),
        ({"text": "x" * 10001}, {"text": ["At most 10000 characters."]}),
        ({"channel": "fax"}, {"channel": ["Choose a valid channel."]}),
        ({"answered_on": None}, {"answered_on": ["This field is required."]}),
        (
            {"answered_on": date(2026, 3, 3)},
            {"answered_on": ["The answer cannot be given in the future."]},
        ),
        (
            {"answered_on": date(2026, 3, 1)},
            {"answered_on": ["The answer cannot be older than the complaint."]},
        ),
    ],
)
def test_bad_input_writes_nothing(org, frozen, overrides, errors):
    complaint = register(org)
    before = _unchanged(complaint)
    with pytest.raises(ValidationFailed) as caught:
        answer(org, complaint, **overrides)
    assert caught.value.errors == errors
    assert _unchanged(complaint) == before


def test_a_closed_complaint_must_be_reopened_first(org, frozen):
    complaint = closed(org)
    before = _unchanged(complaint)
    with pytest.raises(services.Refused) as caught:
        answer(org, complaint)
    assert caught.value.status == 409
    assert str(caught.value.message) == (
        "This complaint is closed: reopen it before giving a new answer."
    )
    assert _unchanged(complaint) == before


@pytest.mark.parametrize("username", ["ts_head", "exec", "admin"])
def test_only_customer_service_and_quality_answer(org, frozen, username):
    complaint = register(org, responsible_department_id=org.departments["ts"].pk)
    before = _unchanged(complaint)
    with pytest.raises(NotAllowed):
        answer(org, complaint, actor=username)
    assert _unchanged(complaint) == before
