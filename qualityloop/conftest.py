import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from qualityloop.core.testing import Org, free_port, use_smtp


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is slow by design; tests that are not about hashing hash with a fast hasher
    (and still read the configured ones, such as the demo accounts' PBKDF2)."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *settings.PASSWORD_HASHERS,
        ]


def _isolate(settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def org(db, settings, tmp_path):
    _isolate(settings, tmp_path)
    return Org()


@pytest.fixture
def org_tx(transactional_db, settings, tmp_path):
    """Org whose rows are committed, for tests where several connections must see them."""
    _isolate(settings, tmp_path)
    return Org()


class SmtpInbox(Message):
    """What the test SMTP server received, as ``email.message.Message`` objects."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that the app's mail goes to."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()
