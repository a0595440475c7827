"""The admin: webhook endpoints are edited there; the delivery log is read there and failed
deliveries are retried from it."""

import pytest

from qualityloop.core.errors import NotAllowed
from qualityloop.notifications import services
from qualityloop.notifications.choices import DeliveryStatus
from qualityloop.notifications.models import Delivery, WebhookEndpoint
from qualityloop.testing import free_port, login, run_worker

DELIVERIES = "/admin/notifications/delivery/"
ENDPOINTS = "/admin/notifications/webhookendpoint/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def dead(org, settings, django_capture_on_commit_callbacks):
    """A webhook delivery that failed for good: nothing listened at its address."""
    settings.NOTIFY_RETRY_BACKOFF = []
    endpoint = WebhookEndpoint.objects.create(
        name="ops",
        kind="wecom",
        url=f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=k1",
        events=["reminder"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event="reminder", recipients=[], data={"message": "hello"})
    run_worker()
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 1)
    return delivery


def test_the_log_lists_and_filters_by_status_and_channel(org, dead):
    client = login(org["admin"])
    page = client.get(f"{DELIVERIES}?status__exact=dead&channel__exact=webhook", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ConnectError" in html
    # The robot's key stays out of the list.
    assert "/cgi-bin/webhook/send?…" in html and "key=k1" not in html
    assert (
        "ConnectError" not in client.get(f"{DELIVERIES}?status__exact=sent", **EN).content.decode()
    )
    assert client.get(f"{DELIVERIES}add/", **EN).status_code == 403
    detail = client.get(f"{DELIVERIES}{dead.pk}/change/", **EN)
    assert detail.status_code == 200
    assert (
        client.post(f"{DELIVERIES}{dead.pk}/change/", {"status": "sent"}, **EN).status_code == 403
    )
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD


def test_retry_now_after_fixing_the_address(
    org, dead, http_receiver, django_capture_on_commit_callbacks
):
    receiver = http_receiver([(200, {"errcode": 0, "errmsg": "ok"})], "/send?key=k2")
    WebhookEndpoint.objects.filter(pk=dead.endpoint_id).update(url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(org["admin"]).post(
            DELIVERIES, {"action": "retry_now", "_selected_action": [dead.pk]}, **EN
        )
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.RETRYING

    run_worker()

    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_status_code) == (DeliveryStatus.SENT, 2, 200)
    assert dead.address == receiver.url
    assert receiver.requests[0].json() == {
        "msgtype": "markdown",
        "markdown": {"content": "**催办**\nhello"},
    }


def test_only_staff_may_retry(org, dead):
    with pytest.raises(NotAllowed):
        services.retry_deliveries(actor=org["qe"], delivery_ids=[dead.pk])
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD


def test_a_generic_endpoint_needs_a_secret(org):
    client = login(org["admin"])
    form = {
        "name": "ERP",
        "kind": "generic",
        "url": "https://erp.example.com/hooks/quality",
        "secret": "",
        "events": ["critical", "major_case"],
        "language": "en",
        "is_active": "on",
    }
    refused = client.post(f"{ENDPOINTS}add/", form, **EN)
    assert refused.status_code == 200
    assert "A generic endpoint needs a secret to sign its messages." in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()

    saved = client.post(f"{ENDPOINTS}add/", {**form, "secret": "s3cret"}, **EN)
    assert saved.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.events, endpoint.secret, endpoint.language) == (
        ["critical", "major_case"],
        "s3cret",
        "en",
    )
    assert endpoint.wants("critical") and not endpoint.wants("reminder")
