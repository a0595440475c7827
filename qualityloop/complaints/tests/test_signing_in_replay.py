"""While history is replayed (as the demo does), a signature still needs the signer's password."""

import pytest
from django.utils import translation

from qualityloop.complaints import services, signatures
from qualityloop.complaints.models import Complaint, ComplaintEvent, Signature
from qualityloop.complaints.tests.test_signatures import at_knowledge
from qualityloop.core import backfill
from qualityloop.core.errors import ValidationFailed
from qualityloop.testing import PASSWORD, database_snapshot


def _close_in_replay(org, complaint, password):
    signed = {"outcome": "来料检验增加外壳尺寸抽检", "password": password, "meaning": "closed"}
    with backfill.backfilling():
        return services.transition_complaint(
            actor=org["qe"], complaint_id=complaint.pk, name="close", **signed
        )


def test_a_replayed_signature_with_a_wrong_password_is_refused(org):
    complaint = at_knowledge(org)
    before = database_snapshot()
    record = Complaint.objects.filter(pk=complaint.pk).values().get()
    events = list(ComplaintEvent.objects.values_list("pk", flat=True))
    for password in ("not-my-password", ""):
        with translation.override("en"), pytest.raises(ValidationFailed) as refused:
            _close_in_replay(org, complaint, password)
        assert refused.value.errors == {
            "password": ["The password is not correct; nothing was signed."]
        }
    assert database_snapshot() == before
    assert Complaint.objects.filter(pk=complaint.pk).values().get() == record
    assert list(ComplaintEvent.objects.values_list("pk", flat=True)) == events
    assert not Signature.objects.filter(subject="close").exists()


def test_a_replayed_signature_with_the_right_password_signs(org):
    closed = _close_in_replay(org, at_knowledge(org), PASSWORD)
    assert closed.status == "closed"
    signature = Signature.objects.get(subject="close")
    assert (signature.signer, signature.meaning) == (org["qe"], "closed")
    assert signatures.is_valid(signature)
