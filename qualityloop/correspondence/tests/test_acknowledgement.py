"""The acknowledgement e-mail goes out through the database queue to a real SMTP server, in
the words of the "acknowledgement" message template, and is logged with the messages."""

import email
from email.header import decode_header, make_header

from django.core.management import call_command

from qualityloop.complaints.choices import EventKind
from qualityloop.correspondence.models import Message as LoggedMessage
from qualityloop.correspondence.tasks import send_acknowledgement
from qualityloop.testing import assert_audit_event


def acknowledgements():
    """The queued acknowledgements (registration queues other apps' work too)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=send_acknowledgement.module_path)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_worker_sends_the_acknowledgement_once(org_tx, smtp):
    """Committed for real: the worker, like a separate process, only sees committed rows."""
    complaint = org_tx.register(complainant_email="wang@example.com")
    assert smtp.messages == []
    assert acknowledgements().count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    (message,) = smtp.messages
    assert message["To"] == "wang@example.com"
    assert _subject(message) == f"您的投诉已受理（编号 {complaint.number}）"
    body = email.message_from_string(message.as_string()).get_payload(decode=True).decode()
    assert body.startswith("尊敬的王经理：")
    assert f"并登记为 {complaint.number}。" in body
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is not None
    assert_audit_event(complaint, EventKind.ACKNOWLEDGEMENT_SENT, to="wang@example.com")
    (logged,) = LoggedMessage.objects.filter(complaint=complaint)
    assert (logged.template_code, logged.status, logged.recipient) == (
        "acknowledgement",
        "sent",
        "wang@example.com",
    )

    assert send_acknowledgement.call(complaint.pk) is False
    assert len(smtp.messages) == 1
    assert LoggedMessage.objects.filter(complaint=complaint).count() == 1


def test_no_address_no_mail(org, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org.register(complainant_email="")
    assert acknowledgements().count() == 0
    assert not LoggedMessage.objects.exists()
