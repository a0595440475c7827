"""notify(): who gets what on which channel, inside the caller's transaction."""

import pytest
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qualityloop.notifications import services
from qualityloop.notifications.choices import Channel, DeliveryStatus, NotifyEvent
from qualityloop.notifications.models import Delivery, Notification, WebhookEndpoint

DUE = "2026-03-02T09:30:00+00:00"
MISSED = {"clock": "answer", "clock_label": "答复客户", "due_at": DUE}


@pytest.fixture
def people(org):
    org["qe"].email, org["qe"].language = "qe@example.com", "en"
    org["cs"].email, org["cs"].language = "cs@example.com", "zh-hans"
    org["ts_head"].email, org["ts_head"].is_active = "head@example.com", False
    for name in ("qe", "cs", "ts_head"):
        org[name].save()
    return org


@pytest.fixture
def complaint(people):
    return people.register()


def endpoint(name, kind="generic", events=(), **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=name,
        kind=kind,
        url=f"http://127.0.0.1:9/{name}",
        secret="s3cret",
        events=list(events),
        **fields,
    )


def test_defaults_reach_every_active_recipient_once(people, complaint):
    generic = endpoint("generic")
    endpoint("escalations-only", kind="wecom", events=["escalation"])
    endpoint("switched-off", kind="feishu", is_active=False)
    qe, cs = people["qe"], people["cs"]

    created = services.notify(
        event=NotifyEvent.SLA_MISSED,
        recipients=[qe, cs, qe.pk, people["ts_head"], None],
        complaint=complaint,
        data=MISSED,
    )

    assert [n.recipient for n in created] == [cs, qe]
    assert list(
        Notification.objects.order_by("recipient_id").values_list("recipient", "event")
    ) == [
        (cs.pk, "sla_missed"),
        (qe.pk, "sla_missed"),
    ]
    notification = Notification.objects.get(recipient=qe)
    assert notification.complaint == complaint
    assert complaint.severity == 3
    assert notification.read_at is None
    assert notification.data == {
        "complaint": complaint.pk,
        "number": complaint.number,
        "title": "控制器外壳开裂",
        "severity": complaint.severity,
        "severity_label": "一般",
        "url": f"/complaints/{complaint.pk}/",
        **MISSED,
    }

    deliveries = list(Delivery.objects.order_by("channel", "address"))
    assert [(d.channel, d.address, d.recipient, d.endpoint) for d in deliveries] == [
        ("email", "cs@example.com", cs, None),
        ("email", "qe@example.com", qe, None),
        ("webhook", "http://127.0.0.1:9/generic", None, generic),
    ]
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in deliveries)
    email_to_qe = deliveries[1]
    assert email_to_qe.notification == notification
    assert email_to_qe.payload == {
        "subject": f"{complaint.number} Deadline missed: 答复客户",
        "body": (
            "It was due at 2026-03-02 17:30.\n"
            f"{complaint.number} · 控制器外壳开裂 · 一般"
            f"\n\n/complaints/{complaint.pk}/"
        ),
    }
    assert deliveries[2].payload["event"] == "sla_missed"
    assert deliveries[2].payload["data"] == notification.data


def test_a_channel_turned_off_gets_nothing(people, complaint):
    qe, cs = people["qe"], people["cs"]
    services.set_preferences(actor=qe, choices={("sla_missed", "email"): False})
    services.set_preferences(actor=cs, choices={("sla_missed", "in_app"): False})

    services.notify(event="sla_missed", recipients=[qe, cs], complaint=complaint, data=MISSED)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [qe.pk]
    assert list(Delivery.objects.values_list("channel", "recipient", "notification")) == [
        ("email", cs.pk, None)
    ]
    # Another event keeps its defaults.
    services.notify(event="escalation", recipients=[qe], complaint=complaint, data={})
    assert Delivery.objects.filter(recipient=qe, event="escalation").count() == 1


@pytest.mark.parametrize("event", ["sla_warning", "task_assigned"])
def test_some_events_are_in_the_app_only_unless_asked_for(people, complaint, event):
    qe = people["qe"]
    services.notify(event=event, recipients=[qe], complaint=complaint, data={})
    assert Notification.objects.filter(recipient=qe, event=event).count() == 1
    assert Delivery.objects.count() == 0

    services.set_preferences(actor=qe, choices={(event, Channel.EMAIL): True})
    services.notify(event=event, recipients=[qe], complaint=complaint, data={})
    assert list(Delivery.objects.values_list("address", "event")) == [("qe@example.com", event)]


def test_no_address_no_mail(people, complaint):
    services.notify(event="critical", recipients=[people["exec"]], complaint=complaint, data={})
    assert Notification.objects.filter(recipient=people["exec"]).count() == 1
    assert Delivery.objects.count() == 0


def test_webhook_subscriptions(people, complaint):
    endpoint("all")
    endpoint("critical-and-major", events=["critical", "major_case"])
    services.notify(event="critical", recipients=[], complaint=complaint, data={"reason": "x"})
    services.notify(event="reminder", recipients=[], complaint=complaint, data={})
    assert sorted(Delivery.objects.values_list("event", "endpoint__name")) == [
        ("critical", "all"),
        ("critical", "critical-and-major"),
        ("reminder", "all"),
    ]


def test_a_summary_without_complaint(people):
    services.notify(
        event="summary",
        recipients=[people["exec"].pk],
        data={"period": "2026-W10", "period_label": "Week 10", "counts": {"open": 4}},
    )
    notification = Notification.objects.get()
    assert notification.complaint is None
    assert notification.data == {
        "period": "2026-W10",
        "period_label": "Week 10",
        "counts": {"open": 4},
    }


def test_it_commits_and_rolls_back_with_the_caller(people, complaint):
    endpoint("all")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(event="critical", recipients=[people["qe"]], complaint=complaint)
        raise RuntimeError("the caller's change failed")
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_sending_is_queued_only_after_commit(people, complaint, django_capture_on_commit_callbacks):
    endpoint("all")
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(event="critical", recipients=[people["qe"]], complaint=complaint)
        assert DBTaskResult.objects.count() == 0
    for callback in callbacks:
        callback()
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    queued = sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all())
    assert queued == ids
    assert {r.task_path for r in DBTaskResult.objects.all()} == {
        "qualityloop.notifications.tasks.deliver"
    }


def test_an_unknown_event_is_refused(people):
    with pytest.raises(ValueError):
        services.notify(event="no_such_event", recipients=[people["qe"]])


def test_preferences_name_known_events_and_channels_only(people):
    from qualityloop.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused, translation.override("en"):
        services.set_preferences(
            actor=people["qe"], choices={("sla_missed", "sms"): True, ("nope", "email"): False}
        )
    assert refused.value.errors == {
        "choices": ["Unknown event or channel: sla_missed:sms, nope:email."]
    }
    assert not people["qe"].notification_preferences.exists()
