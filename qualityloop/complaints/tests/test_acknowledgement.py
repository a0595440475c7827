"""The acknowledgement e-mail goes out through the database queue to a real SMTP server, in
the words of the "acknowledgement" message template, and is logged with the messages."""

import email
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command

from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.tasks import send_acknowledgement
from qualityloop.core.testing import assert_audit_event
from qualityloop.correspondence.models import Message as LoggedMessage
from qualityloop.correspondence.testing import ensure_default_templates


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def templates(request):
    """The default message templates (a transactional test before this one may have flushed
    them with every other table)."""
    ensure_default_templates()


def acknowledgements():
    """The queued acknowledgements (registration queues other apps' work too)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=send_acknowledgement.module_path)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_worker_sends_the_acknowledgement_once(org_tx, smtp, database_queue, templates):
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


def test_no_address_no_mail(org, smtp, database_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org.register(complainant_email="")
    assert acknowledgements().count() == 0
    assert not LoggedMessage.objects.exists()
