"""The test suite's environment, loaded by pytest before Django (``-p`` in pyproject.toml).

Settings refuse to load without a SECRET_KEY when DEBUG is off, as the tests run; a fresh clone
has none, and the tests sign nothing that outlives them.
"""

import os

import pytest
from django.conf import settings


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("SECRET_KEY", "only-for-the-test-suite")


def pytest_configure(config):
    # Static files come from the apps (WHITENOISE_USE_FINDERS); the collected copy in
    # STATIC_ROOT, which WhiteNoise reads if present, is made by `qualityloop run`, never here.
    settings.STATIC_ROOT = None
