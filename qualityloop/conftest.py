import pytest

from qualityloop.core.testing import Org


@pytest.fixture
def org(db, settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return Org()
