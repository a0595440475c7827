"""Webhooks against real HTTP servers on 127.0.0.1: formats, signatures, retries, dead ends.

The receivers check signatures the way each vendor's documentation describes, computed here
from the request as received, independently of the code that made them.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from qualityloop.notifications import services
from qualityloop.notifications.choices import DeliveryStatus
from qualityloop.notifications.models import Delivery, Notification, WebhookEndpoint
from qualityloop.testing import free_port, run_worker

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DATA = {"clock": "answer", "clock_label": "答复客户", "due_at": "2026-03-02T09:30:00+00:00"}
OK = {"errcode": 0, "errmsg": "ok"}
DELIVER = "qualityloop.notifications.tasks.deliver"
REMINDER = {"message": "请尽快回复", "sender": "王经理", "task_title": "初步诊断"}


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """notify() as a caller runs it: committed, so the sending is queued."""

    def call(complaint=None, event="sla_missed", data=DATA):
        with django_capture_on_commit_callbacks(execute=True):
            return services.notify(event=event, recipients=[], complaint=complaint, data=data)

    return call


def hook(url, kind="generic", secret="generic-secret", language="en", **fields):
    # Subscribed to the events these tests send only: the SLA code notifies too.
    fields.setdefault("events", ["sla_missed", "critical"])
    return WebhookEndpoint.objects.create(
        name=kind, kind=kind, url=url, secret=secret, language=language, **fields
    )


def deliveries_ran_and_succeeded() -> bool:
    """Every deliver task the worker ran ended normally, whatever the receiver did."""
    results = DBTaskResult.objects.filter(task_path=DELIVER).exclude(status="READY")
    return results.exists() and set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}


# ---------------------------------------------------------------- retries


def test_two_failures_then_success(org, frozen, http_receiver, notify):
    receiver = http_receiver([(500, b"boom"), (500, b"boom"), (200, b"")])
    hook(receiver.url, events=["reminder"])
    notify(org.register(), event="reminder", data=REMINDER)

    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500: boom")
    assert delivery.next_attempt_at == T0 + timedelta(seconds=60)

    frozen.move_to(T0 + timedelta(seconds=59))
    run_worker()
    assert len(receiver.requests) == 1
    frozen.move_to(T0 + timedelta(seconds=60))
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 2)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500: boom")
    assert delivery.next_attempt_at == T0 + timedelta(seconds=60 + 300)

    frozen.move_to(T0 + timedelta(seconds=359))
    run_worker()
    assert len(receiver.requests) == 2
    frozen.move_to(T0 + timedelta(seconds=360))
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert delivery.sent_at == T0 + timedelta(seconds=360)
    assert delivery.next_attempt_at is None
    # The log keeps the last failure beside the success.
    assert (delivery.last_status_code, delivery.last_error) == (200, "HTTP 500: boom")

    assert len(receiver.requests) == 3
    assert {r.headers["X-QualityLoop-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert len({r.body for r in receiver.requests}) == 1
    assert [r.headers["X-QualityLoop-Timestamp"] for r in receiver.requests] == [
        str(int((T0 + timedelta(seconds=s)).timestamp())) for s in (0, 60, 360)
    ]
    frozen.move_to(T0 + timedelta(days=2))
    run_worker()
    assert len(receiver.requests) == 3
    assert deliveries_ran_and_succeeded()


def test_always_failing_ends_dead_and_the_workflow_goes_on(
    org, settings, frozen, http_receiver, django_capture_on_commit_callbacks
):
    settings.NOTIFY_RETRY_BACKOFF = [60, 300]
    receiver = http_receiver([(503, b"down for maintenance")])
    endpoint = hook(receiver.url, events=["reminder"])
    complaint = org.register()

    # As the workflow calls it: inside the service's own transaction.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        complaint = org.advance(complaint, "acknowledge", actor="cs")
        services.notify(
            event="reminder", recipients=[org["qe"]], complaint=complaint, data=REMINDER
        )
    assert complaint.status == "classification"

    run_worker()
    frozen.move_to(T0 + timedelta(seconds=60))
    run_worker()
    frozen.move_to(T0 + timedelta(seconds=360))
    run_worker()

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 3)
    assert delivery.next_attempt_at is None and delivery.sent_at is None
    assert (delivery.last_status_code, delivery.last_error) == (
        503,
        "HTTP 503: down for maintenance",
    )
    frozen.move_to(T0 + timedelta(days=30))
    run_worker()
    assert len(receiver.requests) == 3
    assert deliveries_ran_and_succeeded()
    complaint.refresh_from_db()
    assert complaint.status == "classification"
    assert Notification.objects.filter(recipient=org["qe"], event="reminder").count() == 1


def test_nothing_listening_is_a_failure_not_a_crash(org, frozen, notify):
    hook(f"http://127.0.0.1:{free_port()}/hook")
    notify(org.register())

    run_worker()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("ConnectError: ")
    assert delivery.next_attempt_at == T0 + timedelta(seconds=60)
    assert deliveries_ran_and_succeeded()


def test_a_slow_receiver_times_out(org, settings, frozen, notify):
    settings.NOTIFY_HTTP_TIMEOUT = 0.2
    with socket_that_never_answers() as port:
        hook(f"http://127.0.0.1:{port}/hook")
        notify(org.register())
        run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_error.startswith("ReadTimeout")


class socket_that_never_answers:
    """Accepts connections (the kernel's backlog does) and never reads or answers."""

    def __enter__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


def test_a_switched_off_endpoint_stops_retrying(org, frozen, http_receiver, notify):
    receiver = http_receiver([(500, b"boom")])
    endpoint = hook(receiver.url)
    notify(org.register())
    run_worker()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    frozen.move_to(T0 + timedelta(seconds=60))
    run_worker()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 2)
    assert delivery.last_error == "The webhook endpoint is switched off."
    assert len(receiver.requests) == 1


# ---------------------------------------------------------------- formats and signatures


def test_generic_json_signed_with_hmac(org, frozen, http_receiver, notify):
    receiver = http_receiver([(204, b"")])
    hook(receiver.url, secret="generic-secret")
    complaint = org.register()
    notify(complaint)
    run_worker()

    (request,) = receiver.requests
    delivery = Delivery.objects.get()
    timestamp = request.headers["X-QualityLoop-Timestamp"]
    assert timestamp == str(int(T0.timestamp()))
    expected = hmac.new(
        b"generic-secret", timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-QualityLoop-Signature"] == f"sha256={expected}"
    assert request.headers["X-QualityLoop-Event"] == "sla_missed"
    assert request.headers["X-QualityLoop-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    severity = "一般"  # minor, in the installation's language
    assert request.json() == {
        "event": "sla_missed",
        "occurred_at": "2026-03-02T01:00:00+00:00",
        "data": {
            "complaint": complaint.pk,
            "number": complaint.number,
            "title": "控制器外壳开裂",
            "severity": complaint.severity,
            "severity_label": severity,
            "url": f"/complaints/{complaint.pk}/",
            **DATA,
        },
        "title": f"{complaint.number} Deadline missed: 答复客户",
        "body": (
            f"It was due at 2026-03-02 17:30.\n{complaint.number} · 控制器外壳开裂 · {severity}"
        ),
    }
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.last_status_code == 204


def test_wecom_markdown_in_the_endpoints_language(org, frozen, chinese, http_receiver, notify):
    receiver = http_receiver([(200, OK)], path="/cgi-bin/webhook/send?key=wecom-key")
    hook(receiver.url, kind="wecom", secret="", language="zh-hans")
    complaint = org.register()
    notify(complaint)
    run_worker()

    (request,) = receiver.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "wecom-key"}
    severity = "一般"  # minor, in the installation's language
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "content": (
                f"**{complaint.number} 截止时间已过：答复客户**\n"
                "截止时间为 2026-03-02 17:30。\n"
                f"{complaint.number} · 控制器外壳开裂 · {severity}\n"
                f"[打开投诉](/complaints/{complaint.pk}/)"
            )
        },
    }
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_dingtalk_markdown_signed_in_the_url(org, frozen, http_receiver, notify):
    receiver = http_receiver([(200, OK)], path="/robot/send?access_token=ding-token")
    hook(receiver.url, kind="dingtalk", secret="SECding")
    complaint = org.register()
    notify(complaint)
    run_worker()

    (request,) = receiver.requests
    timestamp = request.query["timestamp"]
    assert timestamp == str(int(T0.timestamp() * 1000))
    # DingTalk: HmacSHA256 keyed with the secret over "timestamp\nsecret", Base64, URL-encoded.
    digest = hmac.new(b"SECding", f"{timestamp}\nSECding".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == base64.b64encode(digest).decode()
    assert request.query["access_token"] == "ding-token"
    title = f"{complaint.number} Deadline missed: 答复客户"
    severity = "一般"  # minor, in the installation's language
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": title,
            "text": (
                f"#### {title}\n\nIt was due at 2026-03-02 17:30.\n\n"
                f"{complaint.number} · 控制器外壳开裂 · {severity}\n\n"
                f"[Open the complaint](/complaints/{complaint.pk}/)"
            ),
        },
    }
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_dingtalk_sign_is_url_encoded(org, frozen, http_receiver, notify):
    # A Base64 HMAC-SHA256 always ends in "=", which must travel encoded as %3D.
    receiver = http_receiver([(200, OK)], path="/robot/send?access_token=t")
    hook(receiver.url, kind="dingtalk", secret="SECding")
    notify(org.register())
    run_worker()
    (request,) = receiver.requests
    assert request.query["sign"].endswith("=")
    assert "%3D" in request.raw_query and "=" not in request.raw_query.split("sign=", 1)[1]


def test_feishu_text_signed_in_the_body(org, frozen, http_receiver, notify):
    receiver = http_receiver([(200, {"code": 0, "msg": "success", "data": {}})])
    hook(receiver.url, kind="feishu", secret="feishu-secret")
    complaint = org.register()
    notify(complaint)
    run_worker()

    (request,) = receiver.requests
    body = request.json()
    assert body["timestamp"] == str(int(T0.timestamp()))
    # Feishu: HmacSHA256 keyed with "timestamp\nsecret" over an empty message, Base64.
    key = f"{body['timestamp']}\nfeishu-secret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    severity = "一般"  # minor, in the installation's language
    assert {k: v for k, v in body.items() if k not in ("timestamp", "sign")} == {
        "msg_type": "text",
        "content": {
            "text": (
                f"{complaint.number} Deadline missed: 答复客户\n"
                "It was due at 2026-03-02 17:30.\n"
                f"{complaint.number} · 控制器外壳开裂 · {severity}\n"
                f"/complaints/{complaint.pk}/"
            )
        },
    }
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_robots_without_a_secret_are_not_signed(org, frozen, http_receiver, notify):
    ding = http_receiver([(200, OK)], path="/robot/send?access_token=t")
    feishu = http_receiver([(200, {"code": 0})])
    hook(ding.url, kind="dingtalk", secret="")
    hook(feishu.url, kind="feishu", secret="")
    notify(org.register())
    run_worker()
    assert ding.requests[0].query == {"access_token": "t"}
    assert set(feishu.requests[0].json()) == {"msg_type", "content"}


@pytest.mark.parametrize(
    ("kind", "answer", "error"),
    [
        ("wecom", {"errcode": 310000, "errmsg": "keywords not in content"}, "errcode 310000"),
        ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, "errcode 310000"),
        ("feishu", {"code": 19021, "msg": "sign match fail"}, "code 19021"),
    ],
)
def test_a_robot_refusing_with_200_is_a_failure(
    org, frozen, http_receiver, notify, kind, answer, error
):
    receiver = http_receiver([(200, answer)])
    hook(receiver.url, kind=kind, secret="s")
    notify(org.register())
    run_worker()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert delivery.last_status_code == 200
    assert delivery.last_error == f"{error}: {answer.get('errmsg', answer.get('msg'))}"


def test_a_claimed_delivery_is_not_taken_twice(org, frozen, notify):
    hook("http://127.0.0.1:9/hook", events=["reminder"])
    notify(event="reminder", data=REMINDER)
    delivery = Delivery.objects.get()

    first = services.claim_delivery(delivery_id=delivery.pk)
    assert first is not None and first.attempts == 1
    # Another worker running a duplicate of the task meanwhile finds it taken.
    assert services.claim_delivery(delivery_id=delivery.pk) is None
    frozen.move_to(T0 + services.CLAIM_LEASE)
    # A worker that died mid-attempt leaves it to be taken again once the lease is over.
    assert services.claim_delivery(delivery_id=delivery.pk).attempts == 2
