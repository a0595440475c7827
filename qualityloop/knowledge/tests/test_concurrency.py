"""Several requests at once, on PostgreSQL (SQLite ignores row locks; it serialises writers)."""

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)

from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint, ComplaintEvent
from qualityloop.core.errors import StaleVersion
from qualityloop.knowledge import services
from qualityloop.knowledge.models import KnowledgeEntry
from qualityloop.testing import in_parallel

from .helpers import closed_at_first_contact, entry

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs real row locks"),
]
WORKERS = 6


def test_drafting_one_complaint_at_once_makes_one_entry(org_tx):
    complaint = closed_at_first_contact(org_tx)

    results = in_parallel(
        WORKERS,
        lambda i: services.create_from_complaint(complaint_id=complaint.pk, actor=org_tx["qe"]).pk,
    )

    assert len(set(results)) == 1, results
    assert KnowledgeEntry.objects.count() == 1
    knowledge = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.KNOWLEDGE)
    assert knowledge.count() == 1
    assert verify_chain(Complaint.objects.filter(pk=complaint.pk))[1] == []


def test_parallel_edits_of_one_version_give_one_winner(org_tx):
    made = entry(org_tx, title="外壳开裂", publish=False)

    def edit(i):
        return services.update_entry(
            actor=org_tx["qe"], entry_id=made.pk, data={"lessons": f"教训{i}"}, expected_version=1
        ).lessons

    results = in_parallel(WORKERS, edit)

    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StaleVersion) for r in results if not isinstance(r, str))
    made.refresh_from_db()
    assert (made.lessons, made.version) == (winners[0], 2)
