import pytest

from qualityloop.investigation.defaults import ensure_defaults


@pytest.fixture(autouse=True)
def _cause_codes(request):
    """Transactional tests flush the seeded cause codes; put them back."""
    if "org_tx" in request.fixturenames:
        request.getfixturevalue("org_tx")
        ensure_defaults()
