"""Closure, verification, "no investigation needed" and reopening are signed electronically."""

import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from qualityloop.complaints import services, signatures
from qualityloop.complaints.choices import EventKind, Scope, Severity
from qualityloop.complaints.models import Complaint, Signature
from qualityloop.complaints.tests.test_events import _raw, _tamper
from qualityloop.core.errors import TransitionRefused, ValidationFailed
from qualityloop.testing import PASSWORD, assert_audit_event, bearer, database_snapshot


def at_knowledge(org, **fields):
    complaint = org.register(**fields)
    complaint = org.advance(
        complaint,
        "acknowledge",
        "confirm_grade",
        "complete_diagnosis",
        "complete_root_cause",
        "approve_plan",
        "complete_execution",
        "verify",
        actor="qe",
    )
    services.record_customer_answer(actor=org["cs"], complaint_id=complaint.pk, text="已更换")
    org.finish_actions(complaint)
    return Complaint.objects.get(pk=complaint.pk)


def test_closing_signs_the_record_with_password_and_meaning(org):
    complaint = at_knowledge(org)
    closed = services.transition_complaint(
        actor=org["qe"],
        complaint_id=complaint.pk,
        name="close",
        outcome="来料检验增加外壳尺寸抽检",
        password=PASSWORD,
        meaning="closed",
    )
    assert closed.status == "closed"
    signature = Signature.objects.get(subject="close")
    assert (signature.signer, signature.meaning) == (org["qe"], "closed")
    assert signature.content["record"]["title"] == complaint.title
    assert signature.content["inputs"] == {"outcome": "来料检验增加外壳尺寸抽检"}
    assert signatures.is_valid(signature)
    assert_audit_event(closed, EventKind.SIGNATURE, subject="close", meaning="closed")
    # verify was signed too, by org.advance
    assert set(Signature.objects.values_list("subject", flat=True)) == {"verify", "close"}


def test_a_wrong_password_signs_nothing_and_changes_nothing(org):
    complaint = at_knowledge(org)
    before = database_snapshot()
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        services.transition_complaint(
            actor=org["qe"],
            complaint_id=complaint.pk,
            name="close",
            outcome="x",
            password="not-my-password",
            meaning="closed",
        )
    assert refused.value.errors == {
        "password": ["The password is not correct; nothing was signed."]
    }
    assert database_snapshot() == before
    with pytest.raises(ValidationFailed) as no_meaning:
        services.transition_complaint(
            actor=org["qe"],
            complaint_id=complaint.pk,
            name="close",
            outcome="x",
            password=PASSWORD,
            meaning="liked",
        )
    assert set(no_meaning.value.errors) == {"meaning"}
    assert database_snapshot() == before


def test_changing_signed_content_voids_the_signature(org):
    complaint = at_knowledge(org)
    org.advance(complaint, "close", actor="qe")
    close = Signature.objects.get(subject="close")
    assert signatures.is_valid(close)
    org.advance(complaint, "reopen", actor="cs", reason="客户反馈问题再次出现")
    reopen = Signature.objects.get(subject="reopen")
    services.update_complaint(
        actor=org["cs"],
        complaint_id=complaint.pk,
        changes={"description": "客户补充：第二批同样开裂。"},
        reason="补充信息",
    )
    close.refresh_from_db()
    assert not signatures.is_valid(close)  # the record it signed has changed
    assert signatures.is_valid(reopen)  # a reopening signs the decision, not the record
    fresh = Complaint.objects.get(pk=complaint.pk)
    with translation.override("en"):
        rows = {r["subject"]: r["valid"] for r in signatures.signatures_for(fresh)}
    assert rows == {"Effect verified": False, "Close": False, "Reopen": True}


def test_tampering_with_the_stored_content_is_detected(org):
    complaint = at_knowledge(org)
    org.advance(complaint, "close", actor="qe")
    signature = Signature.objects.get(subject="close")
    content = dict(signature.content, inputs={"outcome": "改过的结论"})
    with pytest.raises(PermissionError):
        Signature.objects.filter(pk=signature.pk).update(content=content)
    with pytest.raises(PermissionError):
        signature.delete()
    # What an intruder with database rights would do, past the append-only guards.
    _tamper(
        "UPDATE complaints_signature SET content = %s WHERE id = %s",
        (json.dumps(content, ensure_ascii=False), signature.pk),
    )
    assert not signatures.is_valid(Signature.objects.get(pk=signature.pk))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgres_refuses_changing_a_signature_even_in_raw_sql(org):
    complaint = at_knowledge(org)
    org.advance(complaint, "close", actor="qe")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("UPDATE complaints_signature SET meaning = 'approved'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _raw("DELETE FROM complaints_signature")


def test_no_investigation_is_signed_and_lets_a_major_complaint_close(org):
    complaint = org.register(scope=Scope.BATCH)
    assert complaint.severity == Severity.MAJOR
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="qe")
    complaint = org.advance(
        complaint, "no_investigation", actor="qe", reason="客户使用不当，已现场指导"
    )
    assert complaint.status == "knowledge"
    assert Signature.objects.get(subject="no_investigation").meaning == "approved"
    services.record_customer_answer(actor=org["cs"], complaint_id=complaint.pk, text="已指导")
    closed = org.advance(complaint, "close", actor="qe")
    assert closed.status == "closed"


def test_a_critical_complaint_always_needs_an_investigation(org):
    complaint = org.register(safety_or_regulatory=True)
    assert complaint.severity == Severity.CRITICAL
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="qe")
    with pytest.raises(TransitionRefused):
        org.advance(complaint, "no_investigation", actor="qe", reason="不需要")


def test_the_page_asks_for_the_password_and_shows_the_signature(org):
    complaint = at_knowledge(org)
    client = Client(headers={"Accept-Language": "en"})
    client.login(username="qe", password=PASSWORD)
    form = client.get(f"/complaints/{complaint.pk}/transitions/close/").content.decode()
    assert 'type="password"' in form and "My signature means" in form
    wrong = client.post(
        f"/complaints/{complaint.pk}/transitions/close/",
        {"version": complaint.version, "outcome": "经验", "meaning": "closed", "password": "x"},
    )
    assert "The password is not correct; nothing was signed." in wrong.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == "knowledge"
    done = client.post(
        f"/complaints/{complaint.pk}/transitions/close/",
        {
            "version": complaint.version,
            "outcome": "经验",
            "meaning": "closed",
            "password": PASSWORD,
        },
    )
    assert done.status_code == 302
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Electronic signatures" in page and "valid" in page


def test_the_api_signs_with_the_callers_password(org):
    from qualityloop.complaints.tests.test_api import API

    complaint = at_knowledge(org)
    client = bearer(org["qe"])
    url = f"{API}/{complaint.pk}/transitions/close"
    refused = client.post(
        url,
        {"outcome": "经验", "meaning": "closed", "password": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "password"
    signed = client.post(
        url,
        {"outcome": "经验", "meaning": "closed", "password": PASSWORD},
        content_type="application/json",
    )
    assert signed.status_code == 200
    assert signed.json()["status"] == "closed"
