import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from qualityloop.correspondence.testing import ensure_default_templates


@pytest.fixture(autouse=True)
def _default_templates(request):
    if "org" in request.fixturenames or "org_tx" in request.fixturenames:
        request.getfixturevalue("org_tx" if "org_tx" in request.fixturenames else "org")
        ensure_default_templates()


class Inbox(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1; its ``messages`` are what it received."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def closed_smtp(settings):
    """E-mail settings that point at a port nothing listens on."""
    use_smtp(settings, free_port())
