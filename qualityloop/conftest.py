import pytest

from qualityloop.core.testing import Org


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is slow by design; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db, settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return Org()
