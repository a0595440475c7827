"""The acknowledgement e-mail goes out through the database queue to a real SMTP server."""

import email
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command

from qualityloop.complaints.choices import EventKind
from qualityloop.core.testing import assert_audit_event


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


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_worker_sends_the_acknowledgement_once(org_tx, smtp, database_queue):
    """Committed for real: the worker, like a separate process, only sees committed rows."""
    from django_tasks_db.models import DBTaskResult

    complaint = org_tx.register(complainant_email="wang@example.com")
    assert smtp.messages == []
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    (message,) = smtp.messages
    assert message["To"] == "wang@example.com"
    assert _subject(message) == f"您的投诉 {complaint.number} 已登记"
    body = email.message_from_string(message.as_string()).get_payload(decode=True).decode()
    assert complaint.number in body and "王经理" in body
    complaint.refresh_from_db()
    assert complaint.acknowledgement_sent_at is not None
    assert_audit_event(complaint, EventKind.ACKNOWLEDGEMENT_SENT, to="wang@example.com")

    from qualityloop.complaints.tasks import send_acknowledgement

    assert send_acknowledgement.call(complaint.pk) is False
    assert len(smtp.messages) == 1


def test_no_address_no_mail(org, smtp, database_queue, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        org.register(complainant_email="")
    assert DBTaskResult.objects.count() == 0
