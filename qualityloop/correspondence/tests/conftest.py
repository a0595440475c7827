import pytest

from qualityloop.testing import free_port, use_smtp


@pytest.fixture
def closed_smtp(settings):
    """E-mail settings that point at a port nothing listens on."""
    use_smtp(settings, free_port())
