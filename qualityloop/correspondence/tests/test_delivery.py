"""E-mail leaves through the worker to a real SMTP server on 127.0.0.1 and the log says how
it went: sent, or failed with the server's error."""

import email
from email.header import decode_header, make_header

import pytest
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qualityloop.complaints import services as complaint_services
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import ComplaintEvent
from qualityloop.core.errors import DomainError
from qualityloop.correspondence import services
from qualityloop.correspondence.models import Message, MessageTemplate
from qualityloop.correspondence.tasks import (
    send_acknowledgement,
    send_message_task,
    send_milestone_task,
)
from qualityloop.testing import assert_audit_event, free_port, run_worker

from .helpers import in_diagnosis, promise

ANSWER = "我们将免费为您更换3台控制器，新件将于3月5日发出。"


def subject_of(mail) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def body_of(mail) -> str:
    text = email.message_from_string(mail.as_string()).get_payload(decode=True).decode()
    return text.replace("\r\n", "\n")


def results_of(task) -> list[DBTaskResult]:
    """What the worker did with ``task`` (other apps queue their own work on registration)."""
    return list(DBTaskResult.objects.filter(task_path=task.module_path))


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_acknowledgement_goes_out_and_is_logged_as_sent(org, smtp, monkeypatch, capture):
    promise(monkeypatch)
    with capture():
        complaint = org.register(complainant_email="wang@example.com")

    run_worker()

    (mail,) = smtp.messages
    assert mail["To"] == "wang@example.com"
    assert subject_of(mail) == f"您的投诉已受理（编号 {complaint.number}）"
    assert "并于2026年3月3日 09:30（北京时间）前向您告知处理进展" in body_of(mail)
    (entry,) = Message.objects.filter(complaint=complaint)
    assert (
        entry.direction,
        entry.channel,
        entry.status,
        entry.template_code,
        entry.language,
        entry.recipient,
        entry.error,
        entry.created_by,
    ) == ("out", "email", "sent", "acknowledgement", "zh-hans", "wang@example.com", "", None)
    assert entry.subject == subject_of(mail)
    assert body_of(mail).rstrip("\n") == entry.body
    assert mail["Message-ID"] == entry.email_message_id
    assert entry.sent_at is not None
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is not None
    assert_audit_event(complaint, EventKind.ACKNOWLEDGEMENT_SENT, to="wang@example.com")


def test_the_acknowledgement_is_in_the_complainants_language(org, smtp, monkeypatch, capture):
    promise(monkeypatch)
    with capture():
        complaint = org.register(
            complainant_email="j.smith@example.com",
            complainant_name="John Smith",
            complainant_language="en",
        )
    run_worker()

    (mail,) = smtp.messages
    assert subject_of(mail) == f"We have received your complaint {complaint.number}"
    assert body_of(mail).startswith("Dear John Smith,")
    assert "by 3 March 2026, 09:30 (Beijing time, UTC+8)." in body_of(mail)


def test_a_refused_connection_shows_failed_and_nothing_else_breaks(
    org, closed_smtp, settings, capture
):
    with capture():
        complaint = org.register(complainant_email="wang@example.com")

    run_worker()

    (entry,) = Message.objects.filter(complaint=complaint)
    assert entry.status == "failed"
    assert entry.error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert entry.sent_at is None
    (result,) = results_of(send_acknowledgement)
    assert (result.status, result.return_value) == ("SUCCESSFUL", False)
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is None
    assert not ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.ACKNOWLEDGEMENT_SENT
    ).exists()
    # The complaint carries on as usual.
    complaint = org.advance(complaint, "acknowledge", actor="cs")
    assert complaint.status == "classification"


def test_a_failed_e_mail_is_sent_again_as_a_new_entry(org, smtp, settings, capture):
    listening = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    with capture():
        complaint = org.register(complainant_email="wang@example.com")
    run_worker()
    (failed,) = Message.objects.filter(complaint=complaint)
    assert failed.status == "failed"

    settings.EMAIL_PORT = listening
    with capture():
        again = services.resend_message(actor=org["cs"], message_id=failed.pk)
    assert again.status == "queued"
    run_worker()

    again.refresh_from_db()
    failed.refresh_from_db()
    assert (again.status, again.resent_from_id, again.created_by) == ("sent", failed.pk, org["cs"])
    assert failed.status == "failed"
    (mail,) = smtp.messages
    assert subject_of(mail) == failed.subject
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is not None
    assert_audit_event(complaint, EventKind.ACKNOWLEDGEMENT_SENT, to="wang@example.com")
    assert_audit_event(complaint, EventKind.MESSAGE_SENT, message=again.pk, resent=failed.pk)

    with translation.override("en"):
        with pytest.raises(DomainError, match=r"Only a failed e-mail can be sent again\."):
            services.resend_message(actor=org["cs"], message_id=again.pk)
        with pytest.raises(DomainError, match=r"This e-mail has already been sent again\."):
            services.resend_message(actor=org["cs"], message_id=failed.pk)


def test_a_broken_acknowledgement_template_fails_on_the_log_not_in_the_worker(
    org, smtp, monkeypatch, capture
):
    promise(monkeypatch)
    MessageTemplate.objects.filter(code="acknowledgement").update(body="{% if %}")
    with capture():
        complaint = org.register(complainant_email="wang@example.com")

    with translation.override("en"):  # the worker writes the reason in the active language
        run_worker()

    (entry,) = Message.objects.filter(complaint=complaint)
    assert (entry.status, entry.error, entry.body) == (
        "failed",
        "The template cannot be used: Unexpected end of expression in if tag.",
        "",
    )
    assert [r.status for r in results_of(send_acknowledgement)] == ["SUCCESSFUL"]
    assert smtp.messages == []

    # Once an administrator repairs the template, sending again renders it afresh.
    MessageTemplate.objects.filter(code="acknowledgement", language="zh-hans").update(
        body="尊敬的{{ complaint.complainant_name }}：您的投诉编号为 {{ complaint.number }}。"
    )
    with capture():
        services.resend_message(actor=org["cs"], message_id=entry.pk)
    run_worker()
    (mail,) = smtp.messages
    assert body_of(mail).rstrip("\n") == f"尊敬的王经理：您的投诉编号为 {complaint.number}。"
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is not None


def test_the_answer_milestone_sends_the_answer_text(org, smtp, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture(), transaction.atomic():
        complaint_services.record_customer_answer(
            actor=org["cs"], complaint_id=complaint.pk, text=ANSWER
        )
    assert not Message.objects.exists()  # nothing is logged before the worker runs

    run_worker()

    assert [r.return_value for r in results_of(send_milestone_task)] == [True]
    (mail,) = smtp.messages
    assert subject_of(mail) == f"关于您的投诉 {complaint.number} 的处理方案"
    assert f"经调查分析，我们的处理方案如下：\n\n{ANSWER}\n\n如您对上述方案有任何疑问" in body_of(
        mail
    )
    (entry,) = Message.objects.all()
    assert (entry.template_code, entry.status, entry.created_by) == ("answer", "sent", None)
    event = assert_audit_event(
        complaint,
        EventKind.MESSAGE_SENT,
        message=entry.pk,
        template="answer",
        milestone="answer",
        to="wang@example.com",
        body=entry.body,
    )
    assert event.actor is None


def test_the_rejection_milestone_sends_the_explanation(org, smtp, capture):
    complaint = org.register(complainant_email="wang@example.com")
    with capture(), transaction.atomic():
        org.advance(
            complaint,
            "reject",
            actor="cs",
            reason="not a quality problem",
            explanation="外壳裂纹系运输途中跌落所致，不属于产品质量问题。",
        )
    run_worker()

    (mail,) = smtp.messages
    assert subject_of(mail) == f"关于您的投诉 {complaint.number} 的处理结果"
    assert "原因说明如下：\n\n外壳裂纹系运输途中跌落所致，不属于产品质量问题。\n\n" in body_of(mail)


def test_the_closure_milestone(org, smtp, capture):
    complaint = org.register(complainant_email="wang@example.com", is_repeat=False)
    with capture(), transaction.atomic():
        org.advance(complaint, "close_at_first_contact", actor="cs", answer="已当场更换。")
    run_worker()

    # The satisfaction survey goes out beside it.
    (mail,) = [m for m in smtp.messages if "已处理完毕" in subject_of(m)]
    assert subject_of(mail) == f"您的投诉 {complaint.number} 已处理完毕"


def test_a_milestone_named_twice_in_one_transaction_sends_once(org, smtp, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture(), transaction.atomic():
        complaint_services.record_customer_answer(
            actor=org["cs"], complaint_id=complaint.pk, text=ANSWER
        )
        services.send_milestone(complaint_id=complaint.pk, milestone="answer")
        services.send_milestone(complaint_id=complaint.pk, milestone="answer")
    run_worker()
    assert len(smtp.messages) == 1

    # A later answer is a new occasion.
    with capture(), transaction.atomic():
        complaint_services.record_customer_answer(
            actor=org["cs"], complaint_id=complaint.pk, text="更正：新件将于3月6日发出。"
        )
        services.send_milestone(complaint_id=complaint.pk, milestone="answer")
    run_worker()
    assert len(smtp.messages) == 2
    assert "更正：新件将于3月6日发出。" in body_of(smtp.messages[1])


def test_no_address_no_milestone(org, smtp, capture):
    complaint = in_diagnosis(org, complainant_email="")
    with capture(), transaction.atomic():
        complaint_services.record_customer_answer(
            actor=org["cs"], complaint_id=complaint.pk, text=ANSWER
        )
        services.send_milestone(complaint_id=complaint.pk, milestone="answer")

    assert results_of(send_milestone_task) == []
    run_worker()
    assert not Message.objects.exists()
    assert smtp.messages == []


def test_a_milestone_rolled_back_with_its_transaction_sends_nothing(org, smtp, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture(), pytest.raises(RuntimeError), transaction.atomic():
        services.send_milestone(complaint_id=complaint.pk, milestone="closure")
        raise RuntimeError("the complaint service failed")

    assert results_of(send_milestone_task) == []


def test_a_task_run_twice_sends_once(org, smtp, capture):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    with capture():
        message = services.send_message(
            actor=org["cs"], complaint_id=complaint.pk, template_code="progress"
        )
    run_worker()
    assert len(smtp.messages) == 1

    assert send_message_task.call(message.pk) is True
    assert len(smtp.messages) == 1


def test_a_message_another_worker_is_sending_is_left_alone(org, smtp):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    message = services.send_message(
        actor=org["cs"], complaint_id=complaint.pk, template_code="progress"
    )
    Message.objects.filter(pk=message.pk).update(attempted_at=message.created_at)

    assert services.deliver(message_id=message.pk).status == "queued"
    assert smtp.messages == []
