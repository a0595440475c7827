import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from qualityloop.testing import Org, bearer, chromium, new_page, smtp_server


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


@pytest.fixture
def as_user(org):
    """``as_user("cs")`` is a client that calls the API with a token of that user.

    Every token is issued up front, so a database snapshot taken later sees them all.
    """
    clients = {username: bearer(user) for username, user in org.users.items()}
    return clients.__getitem__


@pytest.fixture
def keep_connection():
    """Call the WSGI app as Django's test client does: without closing the connection.

    Django closes a connection found inside a transaction when a request starts or ends;
    here that transaction is the test's own.
    """
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def browser():
    """A real Chromium (tests marked ``browser``)."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A page of a browser set to Chinese, as the plant's staff use it."""
    return new_page(browser, locale="zh-CN")


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that the app's mail goes to."""
    with smtp_server(settings) as inbox:
        yield inbox
