"""The services: who may write the log, what they must give, and what the log then holds."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from qualityloop.complaints.choices import EventKind
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.correspondence import services
from qualityloop.correspondence.models import Message
from qualityloop.testing import assert_audit_event, aware, database_snapshot, run_worker

from .helpers import in_diagnosis

NO_ADDRESS = (
    "The complainant has no e-mail address. Add one to the complaint record, or log the "
    "message under the channel you used."
)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_send_a_template_renders_it_logs_it_and_mails_it(org, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture():
        message = services.send_message(
            actor=org["cs"],
            complaint_id=complaint.pk,
            template_code="request_information",
            extra={"message": "请提供开裂部位的照片。"},
        )

    assert (message.status, message.created_by, message.language) == (
        "queued",
        org["cs"],
        "zh-hans",
    )
    assert message.subject == f"投诉 {complaint.number}：请补充相关信息"
    assert "我们需要您补充以下信息：\n\n请提供开裂部位的照片。\n\n请直接回复本邮件" in message.body
    event = assert_audit_event(
        complaint,
        EventKind.MESSAGE_SENT,
        message=message.pk,
        channel="email",
        to="wang@example.com",
        subject=message.subject,
        template="request_information",
    )
    assert event.actor == org["cs"]

    run_worker()
    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to) == (
        message.subject,
        message.body,
        ["wang@example.com"],
    )
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_agents_edited_text_is_sent_as_written(org, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture():
        message = services.send_message(
            actor=org["qe"],
            complaint_id=complaint.pk,
            template_code="progress",
            subject="  投诉进展：\n已定位原因  ",
            body="王经理您好：原因已经找到，详见附件。\n",
        )
    run_worker()

    assert (message.subject, message.body, message.template_code) == (
        "投诉进展： 已定位原因",
        "王经理您好：原因已经找到，详见附件。",
        "progress",
    )
    assert mail.outbox[0].subject == "投诉进展： 已定位原因"


def test_without_an_address_e_mail_is_refused_in_the_users_language(org):
    complaint = in_diagnosis(org, complainant_email="")
    before = database_snapshot()

    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        services.send_message(actor=org["cs"], complaint_id=complaint.pk, template_code="progress")

    assert caught.value.errors == {"recipient": [NO_ADDRESS]}
    assert database_snapshot() == before
    assert not Message.objects.exists()


def test_a_message_given_by_phone_is_logged_as_sent_without_mail(org, capture):
    complaint = in_diagnosis(org, complainant_email="")
    with capture():
        message = services.send_message(
            actor=org["cs"],
            complaint_id=complaint.pk,
            channel="phone",
            subject="",
            body="电话告知客户：更换件已发出。",
        )

    assert (message.channel, message.status, message.recipient, message.sender) == (
        "phone",
        "sent",
        "13800000000",
        "cs",
    )
    assert message.sent_at == message.created_at
    run_worker()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("inputs", "errors"),
    [
        ({}, {"template": ["Choose a template or write the text."]}),
        ({"template_code": "nonsense"}, {"template": ["Choose a valid template."]}),
        ({"channel": "pigeon", "body": "x"}, {"channel": ["Choose a valid channel."]}),
        ({"subject": "", "body": "Hello"}, {"subject": ["An e-mail needs a subject."]}),
        ({"subject": "Hello", "body": "  "}, {"body": ["This field is required."]}),
        (
            {"subject": "x" * 301, "body": "Hello"},
            {"subject": ["At most 300 characters."]},
        ),
        (
            {"template_code": "progress", "extra": {"colour": "red"}},
            {"colour": ["This field cannot be set."]},
        ),
    ],
)
def test_bad_input_is_refused_on_the_field(org, inputs, errors):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        services.send_message(actor=org["cs"], complaint_id=complaint.pk, **inputs)
    assert caught.value.errors == errors
    assert not Message.objects.exists()


@pytest.mark.parametrize("username", ["cs", "qe", "exec", "admin"])
def test_who_may_send_and_record(org, username):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    services.send_message(
        actor=org[username], complaint_id=complaint.pk, subject="Hello", body="Hello"
    )
    services.record_received(
        actor=org[username], complaint_id=complaint.pk, channel="phone", body="Thanks"
    )
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("username", "error"),
    [("ts_member", NotAllowed), ("ts_head", NotAllowed), ("prod_member", DomainError)],
)
def test_who_may_not_send_or_record(org, username, error):
    """Technical support works on the complaint and may read its log; production cannot even
    see the complaint, which the service answers as if it did not exist."""
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    before = database_snapshot()

    with pytest.raises(error) as sending:
        services.send_message(
            actor=org[username], complaint_id=complaint.pk, subject="Hello", body="Hello"
        )
    with pytest.raises(error):
        services.record_received(
            actor=org[username], complaint_id=complaint.pk, channel="phone", body="Thanks"
        )

    if error is DomainError:
        assert sending.value.code == "not_found"
    assert database_snapshot() == before
    assert not Message.objects.exists()


def test_record_a_phone_call(org):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    at = clock.now() - timedelta(hours=2)

    message = services.record_received(
        actor=org["cs"],
        complaint_id=complaint.pk,
        channel="phone",
        body="客户来电：希望尽快更换，产线下周一复产。",
        subject="  客户来电 ",
        occurred_at=at,
    )

    assert (message.direction, message.channel, message.status, message.sender) == (
        "in",
        "phone",
        "",
        "13800000000",
    )
    assert (message.subject, message.occurred_at, message.created_by) == ("客户来电", at, org["cs"])
    assert_audit_event(
        complaint,
        EventKind.MESSAGE_RECEIVED,
        message=message.pk,
        channel="phone",
        body="客户来电：希望尽快更换，产线下周一复产。",
        **{"from": "13800000000"},
    )


def test_a_received_message_cannot_come_from_the_future(org):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        services.record_received(
            actor=org["cs"],
            complaint_id=complaint.pk,
            channel="letter",
            body="x",
            occurred_at=clock.now() + timedelta(hours=1),
        )
    assert caught.value.errors == {"occurred_at": ["The time received cannot be in the future."]}


def test_the_log_is_newest_first_by_when_things_happened(org):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with clock.at(aware(2026, 3, 2, 10, 0)):
        first = services.send_message(
            actor=org["cs"], complaint_id=complaint.pk, subject="A", body="A"
        )
    with clock.at(aware(2026, 3, 3, 10, 0)):
        # Logged later, about a call the day before the first e-mail.
        call = services.record_received(
            actor=org["cs"],
            complaint_id=complaint.pk,
            channel="phone",
            body="B",
            occurred_at=aware(2026, 3, 1, 16, 0),
        )
        last = services.send_message(
            actor=org["cs"], complaint_id=complaint.pk, subject="C", body="C"
        )

    assert list(Message.objects.log_of(complaint)) == [last, first, call]
