"""E-mail goes out through the real worker to a real SMTP server, in each recipient's language."""

from email.header import decode_header, make_header

from django_tasks_db.models import DBTaskResult

from qualityloop.notifications import services
from qualityloop.notifications.choices import DeliveryStatus
from qualityloop.notifications.models import Delivery
from qualityloop.testing import free_port, run_worker

DATA = {"clock": "answer", "clock_label": "答复客户", "due_at": "2026-03-02T09:30:00Z"}


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    text = message.get_payload(decode=True).decode(message.get_content_charset())
    return text.replace("\r\n", "\n").removesuffix("\n")


def _people(org):
    org["qe"].email, org["qe"].language = "qe@example.com", "en"
    org["cs"].email, org["cs"].language = "cs@example.com", "zh-hans"
    org["qe"].save()
    org["cs"].save()
    return org["qe"], org["cs"]


def test_each_recipient_reads_their_own_language(
    org, smtp, chinese, django_capture_on_commit_callbacks
):
    qe, cs = _people(org)
    complaint = org.register()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event="sla_missed", recipients=[qe, cs], complaint=complaint, data=DATA)
    assert smtp.messages == []

    assert run_worker() == 2

    mails = {m["To"]: m for m in smtp.messages}
    assert sorted(mails) == ["cs@example.com", "qe@example.com"]
    severity = "一般"  # minor, in the installation's language
    assert _subject(mails["qe@example.com"]) == f"{complaint.number} Deadline missed: 答复客户"
    assert _body(mails["qe@example.com"]) == (
        f"It was due at 2026-03-02 17:30.\n{complaint.number} · 控制器外壳开裂 · {severity}"
        f"\n\n/complaints/{complaint.pk}/"
    )
    assert _subject(mails["cs@example.com"]) == f"{complaint.number} 截止时间已过：答复客户"
    assert _body(mails["cs@example.com"]).startswith("截止时间为 2026-03-02 17:30。\n")
    assert mails["qe@example.com"]["X-QualityLoop-Delivery"] == str(
        Delivery.objects.get(address="qe@example.com").pk
    )

    sent = Delivery.objects.order_by("address")
    assert [(d.status, d.attempts, d.last_error) for d in sent] == [
        (DeliveryStatus.SENT, 1, ""),
        (DeliveryStatus.SENT, 1, ""),
    ]
    assert all(d.sent_at is not None for d in sent)

    # A second run of the same task sends nothing again.
    from qualityloop.notifications.tasks import deliver

    assert deliver.call(sent[0].pk) == "skipped"
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_is_a_failure_to_retry(
    org, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    qe, _ = _people(org)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event="critical", recipients=[qe], data={"reason": "x"})

    assert run_worker() == 1

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1
    assert "Connection refused" in delivery.last_error
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
