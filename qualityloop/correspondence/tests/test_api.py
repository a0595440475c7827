"""The messages API: the same rules as the pages, in JSON."""

import pytest
from django.test import Client

from qualityloop.correspondence import services
from qualityloop.correspondence.models import Message
from qualityloop.testing import assert_num_queries_at_most, database_snapshot

from .helpers import in_diagnosis

NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}
NOT_ALLOWED = {
    "detail": "You may not send messages about this complaint.",
    "field": None,
    "code": "not_allowed",
    "errors": {},
}


@pytest.fixture
def complaint(org):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    failed = services.send_message(
        actor=org["cs"], complaint_id=complaint.pk, subject="第一封", body="正文一"
    )
    Message.objects.filter(pk=failed.pk).update(status="failed", error="SMTPServerDisconnected")
    complaint.failed = failed
    return complaint


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def calls(complaint):
    base = f"/api/v1/complaints/{complaint.pk}/messages"
    return {
        "list": ("get", base, None),
        "preview": ("get", f"{base}/preview?template=progress", None),
        "send": ("post", base, {"subject": "Hi", "body": "Hi"}),
        "received": ("post", f"{base}/received", {"channel": "phone", "body": "来电"}),
        "resend": ("post", f"{base}/{complaint.failed.pk}/resend", None),
    }


def call(client, method, path, body):
    return client.get(path) if method == "get" else post(client, path, body)


def test_list_newest_first(org, complaint, as_user):
    received = services.record_received(
        actor=org["cs"], complaint_id=complaint.pk, channel="phone", body="客户来电"
    )
    with assert_num_queries_at_most(6):
        response = as_user("ts_member").get(f"/api/v1/complaints/{complaint.pk}/messages")

    assert response.status_code == 200
    first, second = response.json()
    assert first["id"] == received.pk
    assert {k: first[k] for k in ("direction", "channel", "status", "body", "sender")} == {
        "direction": "in",
        "channel": "phone",
        "status": None,
        "body": "客户来电",
        "sender": "13800000000",
    }
    assert first["created_by"] == {"id": org["cs"].pk, "label": "cs"}
    assert {k: second[k] for k in ("direction", "status", "error", "recipient", "subject")} == {
        "direction": "out",
        "status": "failed",
        "error": "SMTPServerDisconnected",
        "recipient": "wang@example.com",
        "subject": "第一封",
    }


@pytest.mark.parametrize("name", ["list", "preview", "send", "received", "resend"])
def test_anonymous_is_401(org, complaint, name):
    method, path, body = calls(complaint)[name]
    before = database_snapshot(), Message.objects.count()
    response = call(Client(), method, path, body)
    assert response.status_code == 401
    assert (database_snapshot(), Message.objects.count()) == before


@pytest.mark.parametrize("name", ["list", "preview", "send", "received", "resend"])
def test_another_department_gets_404(org, complaint, as_user, name):
    method, path, body = calls(complaint)[name]
    before = database_snapshot(), Message.objects.count()
    response = call(as_user("prod_member"), method, path, body)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert (database_snapshot(), Message.objects.count()) == before


@pytest.mark.parametrize("name", ["preview", "send", "received", "resend"])
def test_the_responsible_department_may_read_but_not_write(org, complaint, as_user, name):
    method, path, body = calls(complaint)[name]
    before = database_snapshot(), Message.objects.count()
    response = call(as_user("ts_member"), method, path, body)
    assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    assert (database_snapshot(), Message.objects.count()) == before


def test_send_a_template(org, complaint, as_user):
    response = post(
        as_user("cs"),
        f"/api/v1/complaints/{complaint.pk}/messages",
        {"template": "request_information", "message": "请提供批号。", "language": "en"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["template"], body["language"]) == (
        "queued",
        "request_information",
        "en",
    )
    assert body["subject"] == f"Your complaint {complaint.number}: we need some more information"
    assert (
        "we need the following information from you:\n\n请提供批号。\n\nPlease reply"
        in body["body"]
    )


def test_send_free_text(org, complaint, as_user):
    response = post(
        as_user("qe"),
        f"/api/v1/complaints/{complaint.pk}/messages",
        {"subject": "关于更换件", "body": "更换件已于今日发出。"},
    )
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("subject", "body", "template", "created_by")} == {
        "subject": "关于更换件",
        "body": "更换件已于今日发出。",
        "template": None,
        "created_by": {"id": org["qe"].pk, "label": "qe"},
    }


def test_send_without_an_address_is_422_on_recipient(org, as_user):
    complaint = in_diagnosis(org, complainant_email="")
    response = post(
        as_user("cs"), f"/api/v1/complaints/{complaint.pk}/messages", {"template": "progress"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The complainant has no e-mail address. Add one to the complaint record, or "
        "log the message under the channel you used.",
        "field": "recipient",
        "code": "validation_error",
        "errors": {
            "recipient": [
                "The complainant has no e-mail address. Add one to the complaint record, or "
                "log the message under the channel you used."
            ]
        },
    }


def test_bad_input_is_422_on_the_field(org, complaint, as_user):
    response = post(
        as_user("cs"), f"/api/v1/complaints/{complaint.pk}/messages", {"channel": "pigeon"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "channel"


def test_record_received(org, complaint, as_user):
    response = post(
        as_user("cs"),
        f"/api/v1/complaints/{complaint.pk}/messages/received",
        {
            "channel": "email",
            "subject": "Re: 投诉",
            "body": "照片见附件。",
            "sender": "wang@example.com",
            "occurred_at": "2026-03-02T10:15:00+08:00",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["direction"], body["sender"], body["occurred_at"]) == (
        "in",
        "wang@example.com",
        "2026-03-02T02:15:00Z",
    )


def test_preview(org, complaint, as_user):
    response = as_user("cs").get(
        f"/api/v1/complaints/{complaint.pk}/messages/preview",
        {"template": "closure", "language": "en"},
    )
    assert response.status_code == 200
    assert response.json()["subject"] == f"Your complaint {complaint.number} is resolved and closed"


def test_resend(org, complaint, as_user):
    response = post(
        as_user("cs"), f"/api/v1/complaints/{complaint.pk}/messages/{complaint.failed.pk}/resend"
    )
    assert response.status_code == 201
    assert (response.json()["resent_from"], response.json()["status"]) == (
        complaint.failed.pk,
        "queued",
    )

    again = post(
        as_user("cs"), f"/api/v1/complaints/{complaint.pk}/messages/{complaint.failed.pk}/resend"
    )
    assert (again.status_code, again.json()["detail"]) == (
        400,
        "This e-mail has already been sent again.",
    )


def test_resend_of_a_message_of_another_complaint_is_404(org, complaint, as_user):
    other = in_diagnosis(org, complainant_email="li@example.com")
    response = post(
        as_user("cs"), f"/api/v1/complaints/{other.pk}/messages/{complaint.failed.pk}/resend"
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
