"""Several writers at once, on PostgreSQL (SQLite ignores row locks; it serialises writers)."""

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)
from django.utils import translation

from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint
from qualityloop.core.errors import ValidationFailed
from qualityloop.investigation import services
from qualityloop.investigation.models import FishboneCause, ReturnedProduct
from qualityloop.testing import in_parallel

from .helpers import in_diagnosis

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs real row locks"),
]
WORKERS = 6


def test_one_rma_number_twice_at_once_gives_one_return(org_tx):
    complaint = in_diagnosis(org_tx)
    other = in_diagnosis(org_tx, title="另一件")

    def register(i):
        with translation.override("en"):
            return services.add_returned_product(
                actor=org_tx["qe"],
                complaint_id=(complaint if i % 2 else other).pk,
                rma_number="RMA-RACE",
                quantity=1,
            ).pk

    results = in_parallel(WORKERS, register)
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, ValidationFailed)]
    assert (len(winners), len(losers)) == (1, WORKERS - 1), results
    assert {str(e.errors) for e in losers} == {
        str({"rma_number": ["RMA number RMA-RACE is already in use."]})
    }
    assert ReturnedProduct.objects.count() == 1


def test_parallel_causes_keep_one_unbroken_timeline(org_tx):
    complaint = in_diagnosis(org_tx)
    version = Complaint.objects.get(pk=complaint.pk).version

    def add(i):
        return services.add_fishbone_cause(
            actor=org_tx["qe"], complaint_id=complaint.pk, category="man", text=f"原因 {i}"
        ).pk

    results = in_parallel(WORKERS, add)
    assert all(isinstance(r, int) for r in results), results
    assert FishboneCause.objects.count() == WORKERS
    assert Complaint.objects.get(pk=complaint.pk).version == version + WORKERS
    assert verify_chain()[1] == []
