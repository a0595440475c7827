"""Many processes at once, on PostgreSQL (SQLite ignores row locks; it serialises writers)."""

import pytest
from django.db import connection

from qualityloop.complaints import services
from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint, ComplaintEvent
from qualityloop.core.errors import StaleVersion
from qualityloop.testing import in_parallel

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs real row locks"),
]
WORKERS = 8


def test_parallel_registrations_get_distinct_numbers(org_tx):
    results = in_parallel(WORKERS, lambda i: org_tx.register(title=f"并发登记 {i}").number)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == WORKERS
    assert sorted(int(n[-6:]) for n in results) == list(range(1, WORKERS + 1))
    assert Complaint.objects.count() == WORKERS


def test_parallel_edits_of_one_version_give_one_winner_and_conflicts(org_tx):
    complaint = org_tx.register()
    version = complaint.version

    def edit(i):
        return services.update_complaint(
            actor=org_tx["cs"],
            complaint_id=complaint.pk,
            changes={"quantity": 100 + i},
            expected_version=version,
        ).quantity

    results = in_parallel(WORKERS, edit)
    winners = [r for r in results if isinstance(r, int)]
    conflicts = [r for r in results if isinstance(r, StaleVersion)]
    assert (len(winners), len(conflicts)) == (1, WORKERS - 1), results
    complaint.refresh_from_db()
    assert complaint.quantity == winners[0]
    assert complaint.version == version + 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="edited").count() == 1


def test_parallel_comments_keep_one_unbroken_chain(org_tx):
    complaint = org_tx.register()
    results = in_parallel(
        WORKERS,
        lambda i: (
            services.add_comment(actor=org_tx["qe"], complaint_id=complaint.pk, body=f"意见 {i}").pk
        ),
    )
    assert results == [complaint.pk] * WORKERS
    seqs = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify_chain()[1] == []
    assert connection.vendor == "postgresql"
