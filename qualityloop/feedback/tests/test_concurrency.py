"""Many answers at once, on PostgreSQL (SQLite ignores row locks; it serialises writers)."""

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)
from django.utils import timezone

from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import ComplaintEvent
from qualityloop.core.errors import DomainError
from qualityloop.feedback import services
from qualityloop.feedback.models import FinalAnswer, Survey
from qualityloop.testing import in_parallel

from .conftest import closed, register

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs real row locks"),
]
WORKERS = 6


def test_one_link_sent_many_times_at_once_is_answered_once(org_tx):
    complaint = closed(org_tx)
    survey, raw = services.create_survey(complaint_id=complaint.pk)

    def answer(i):
        return services.submit_survey(
            raw_token=raw, outcome_score=5, handling_score=5, satisfied=True, comment=f"第{i}次"
        ).comment

    results = in_parallel(WORKERS, answer)
    stored = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(stored), len(refused)) == (1, WORKERS - 1), results
    assert {r.code for r in refused} == {"not_found"}
    survey.refresh_from_db()
    assert survey.comment == stored[0]
    kinds = ComplaintEvent.objects.filter(complaint=complaint, kind="survey")
    assert [e.data["action"] for e in kinds] == ["created", "answered"]
    assert verify_chain()[1] == []


def test_parallel_links_leave_one_open(org_tx):
    complaint = closed(org_tx)
    results = in_parallel(
        WORKERS, lambda i: services.create_survey(complaint_id=complaint.pk)[0].pk
    )
    assert all(isinstance(r, int) for r in results), results
    assert Survey.objects.filter(withdrawn_at__isnull=True).count() == 1
    assert Survey.objects.count() == WORKERS


def test_parallel_final_answers_leave_one_current(org_tx):
    complaint = register(org_tx)
    results = in_parallel(
        WORKERS,
        lambda i: (
            services.record_final_answer(
                actor=org_tx["cs"],
                complaint_id=complaint.pk,
                text=f"答复 {i}",
                channel="phone",
                answered_on=timezone.localdate(),
            ).pk
        ),
    )
    assert all(isinstance(r, int) for r in results), results
    current = FinalAnswer.objects.get(superseded_at__isnull=True)
    complaint.refresh_from_db()
    assert complaint.customer_answer == current.text
    assert FinalAnswer.objects.count() == WORKERS
