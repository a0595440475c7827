"""Deadlines through the API and the complaint page, with the same access rules."""

from datetime import timedelta

import pytest
from django.test import Client

from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint
from qualityloop.complaints.tests.test_api import API, at_diagnosis, post
from qualityloop.core import clock
from qualityloop.notifications.models import Notification
from qualityloop.sla import escalation
from qualityloop.sla.models import MajorCase
from qualityloop.testing import PASSWORD, assert_audit_event, database_snapshot

MATRIX = [
    # (method, suffix, body, (allowed user, status), user who sees it but may not)
    ("get", "/clocks", None, ("ts_member", 200), None),
    ("post", "/wait", {"reason": "等待客户寄回样品"}, ("cs", 200), "ts_member"),
    ("post", "/escalate", {"reason": "legal", "note": "客户已委托律师"}, ("cs", 204), "ts_member"),
    ("post", "remind", {"message": "请今天内给出初步结论"}, ("ts_head", 204), "ts_member"),
]


def _path(complaint, suffix):
    if suffix == "remind":
        task = complaint.tasks.get(kind="stage", status="open")
        return f"{API}/{complaint.pk}/tasks/{task.pk}/remind"
    return f"{API}/{complaint.pk}{suffix}"


def _call(client, complaint, method, suffix, body):
    path = _path(complaint, suffix)
    if method == "get":
        return client.get(path)
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize(("method", "suffix", "body", "allowed", "wrong"), MATRIX)
def test_permission_matrix(org, as_user, method, suffix, body, allowed, wrong):
    complaint = at_diagnosis(org)
    before = database_snapshot()

    def unchanged(response, status):
        assert response.status_code == status, response.content[:300]
        assert database_snapshot() == before

    unchanged(_call(Client(), complaint, method, suffix, body), 401)
    if wrong:
        unchanged(_call(as_user(wrong), complaint, method, suffix, body), 403)
    unchanged(_call(as_user("prod_member"), complaint, method, suffix, body), 404)
    username, status = allowed
    response = _call(as_user(username), complaint, method, suffix, body)
    assert response.status_code == status, response.content[:300]


def test_clocks_wait_and_resume_through_the_api(org, as_user):
    complaint = at_diagnosis(org)
    clocks = as_user("cs").get(f"{API}/{complaint.pk}/clocks").json()
    by_kind = {c["kind"]: c for c in clocks}
    assert by_kind["intake"]["state"] == "met"
    assert by_kind["diagnosis"]["state"] == "running"
    assert by_kind["answer"]["basis"] == "working"
    assert by_kind["answer"]["allowed_minutes"] == 15 * 60
    waited = post(as_user("cs"), f"{API}/{complaint.pk}/wait", {"reason": "等待样品"})
    assert {c["state"] for c in waited.json() if c["stopped_at"] is None} == {"paused"}
    again = post(as_user("cs"), f"{API}/{complaint.pk}/wait", {"reason": "等待样品"})
    assert again.status_code == 400
    resumed = post(as_user("cs"), f"{API}/{complaint.pk}/resume", {"note": "样品已到"})
    assert {c["state"] for c in resumed.json() if c["stopped_at"] is None} == {"running"}
    assert_audit_event(complaint, EventKind.RESUMED)


def test_a_reminder_reaches_the_task_holder_and_is_on_the_record(org, as_user):
    complaint = at_diagnosis(org)
    task = complaint.tasks.get(kind="stage", status="open")
    sent = post(
        as_user("cs"),
        f"{API}/{complaint.pk}/tasks/{task.pk}/remind",
        {"message": "客户催问进度，请今天回复"},
    )
    assert sent.status_code == 204
    event = assert_audit_event(complaint, EventKind.REMINDER, message="客户催问进度，请今天回复")
    assert event.actor == org["cs"]
    reached = Notification.objects.filter(event="reminder").values_list(
        "recipient__username", flat=True
    )
    assert sorted(reached) == ["ts_head", "ts_member"]  # the department: nobody assigned yet
    empty = post(as_user("cs"), f"{API}/{complaint.pk}/tasks/{task.pk}/remind", {"message": " "})
    assert empty.status_code == 422


def test_legal_dispute_reaches_management(org, as_user):
    complaint = at_diagnosis(org)
    post(as_user("cs"), f"{API}/{complaint.pk}/escalate", {"reason": "legal", "note": "律师函"})
    assert Complaint.objects.get(pk=complaint.pk).legal_dispute
    note = Notification.objects.get(event="management")
    assert (note.recipient, note.data["reason"]) == (org["exec"], "legal")


def test_the_rectification_plan_gates_closure(org, as_user):
    complaint = at_diagnosis(org)
    missing = as_user("qe").get(f"{API}/{complaint.pk}/major-case")
    assert missing.status_code == 404
    Complaint.objects.filter(pk=complaint.pk).update(received_at=clock.now() - timedelta(days=8))
    escalation.open_major_case_if_due(complaint_id=complaint.pk)
    assert MajorCase.objects.filter(complaint=complaint).exists()
    url = f"{API}/{complaint.pk}/major-case"
    nothing = post(as_user("qe"), f"{url}/submit", {})
    assert nothing.status_code == 400
    denied = post(
        as_user("cs"),
        f"{url}/items",
        {"measure": "更换注塑模具", "owner": org["prod_head"].pk, "due_date": "2099-01-31"},
    )
    assert denied.status_code == 403
    added = post(
        as_user("qe"),
        f"{url}/items",
        {"measure": "更换注塑模具", "owner": org["prod_head"].pk, "due_date": "2099-01-31"},
    )
    assert added.status_code == 201
    assert added.json()["items"] == [
        {"measure": "更换注塑模具", "owner": "prod_head", "due_date": "2099-01-31"}
    ]
    submitted = post(as_user("qe"), f"{url}/submit", {})
    assert submitted.status_code == 200
    assert submitted.json()["plan_submitted_at"] is not None
    plan_task = complaint.tasks.get(kind="rectification_plan")
    assert plan_task.status == "done"


def test_the_page_shows_the_clocks_and_the_forms(org):
    complaint = at_diagnosis(org)
    client = Client(headers={"Accept-Language": "en"})
    client.login(username="cs", password=PASSWORD)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Deadlines" in page
    assert "Stage: diagnosis" in page
    assert "Wait for the complainant" in page
    assert "Remind (催办)" in page
    response = client.post(
        f"/complaints/{complaint.pk}/wait/",
        {"reason": "等待样品", "version": Complaint.objects.get(pk=complaint.pk).version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "on hold" in body and "The complainant replied: resume" in body
    member = Client(headers={"Accept-Language": "en"})
    member.login(username="ts_member", password=PASSWORD)
    own = member.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Wait for the complainant" not in own
    refused = member.post(f"/complaints/{complaint.pk}/resume/", {"version": 1})
    assert refused.status_code == 403


def test_the_rectification_plan_is_made_of_the_complaints_actions(org, as_user):
    from qualityloop.capa import services as capa

    complaint = at_diagnosis(org)
    capa.plan_action(
        actor=org["qe"],
        complaint_id=complaint.pk,
        type="corrective",
        title="更换注塑模具",
        owner_id=org["prod_head"].pk,
        due_date=clock.now().date() + timedelta(days=10),
        expected_effect="不再开裂",
        effectiveness_criteria="三批无开裂",
    )
    Complaint.objects.filter(pk=complaint.pk).update(received_at=clock.now() - timedelta(days=8))
    escalation.open_major_case_if_due(complaint_id=complaint.pk)
    submitted = post(as_user("qe"), f"{API}/{complaint.pk}/major-case/submit", {})
    assert submitted.status_code == 200
    note = (
        Notification.objects.filter(event="major_case", recipient=org["exec"]).order_by("pk").last()
    )
    year = clock.now().year
    assert [p["measure"] for p in note.data["plan"]] == [f"CA-{year}-0001 更换注塑模具"]
    client = Client(headers={"Accept-Language": "en"})
    client.login(username="qe", password=PASSWORD)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "更换注塑模具" in page and "Plan reported to management" in page
