import smtplib
from email.header import decode_header, make_header

import pytest

from qualityloop.core.mail import send_email
from qualityloop.testing import free_port, use_smtp


def test_an_email_reaches_the_server_with_its_headers_and_chinese_text(smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "quality@example.com"

    send_email(
        subject="投诉 QC-2026-0001 已受理",
        body="您好，我们已收到您的投诉。\n",
        to=["buyer@example.com"],
        headers={"X-QualityLoop-Delivery": "17", "Message-ID": "<m1@qualityloop.test>"},
    )

    (message,) = smtp.messages
    assert message["From"] == "quality@example.com"
    assert message["To"] == "buyer@example.com"
    assert message["X-QualityLoop-Delivery"] == "17"
    assert message["Message-ID"] == "<m1@qualityloop.test>"
    assert str(make_header(decode_header(message["Subject"]))) == "投诉 QC-2026-0001 已受理"
    assert message.get_payload(decode=True).decode("utf-8") == "您好，我们已收到您的投诉。\r\n"


def test_a_given_sender_replaces_the_default(smtp):
    send_email(subject="Re", body="ok\n", to=["a@example.com"], from_email="cs@example.com")

    (message,) = smtp.messages
    assert message["From"] == "cs@example.com"


def test_a_server_that_cannot_be_reached_raises_for_the_caller_to_record_or_retry(settings):
    use_smtp(settings, free_port())

    with pytest.raises((smtplib.SMTPException, OSError)):
        send_email(subject="x", body="y", to=["a@example.com"], timeout=2)
