"""Sending one delivery: an e-mail through Django's mail backend, a webhook over HTTP.

HTTP goes through httpx: explicit timeouts for connecting and reading, no redirects
followed, and one error type for refused connections, timeouts and broken answers, so a dead
endpoint becomes a recorded failure, never a crash.
"""

import smtplib
from dataclasses import dataclass

import httpx
from django.conf import settings

from qualityloop.core.mail import send_email

from . import webhooks
from .choices import DeliveryChannel
from .models import Delivery

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    # A failure that no retry can mend (the endpoint was removed or switched off).
    permanent: bool = False


def timeout() -> float:
    return float(getattr(settings, "NOTIFY_HTTP_TIMEOUT", DEFAULT_TIMEOUT))


def send(delivery: Delivery, *, now) -> Outcome:
    if delivery.channel == DeliveryChannel.EMAIL:
        return _email(delivery)
    return _webhook(delivery, now=now)


def _email(delivery: Delivery) -> Outcome:
    payload = delivery.payload
    try:
        send_email(
            subject=" ".join(str(payload.get("subject", "")).split()),
            body=str(payload.get("body", "")),
            to=[delivery.address],
            headers={"X-QualityLoop-Delivery": str(delivery.pk)},
            timeout=timeout(),
        )
    except smtplib.SMTPResponseException as exc:
        return Outcome(False, exc.smtp_code, _describe(exc))
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, None, _describe(exc))
    return Outcome(True)


def _webhook(delivery: Delivery, *, now) -> Outcome:
    endpoint = delivery.endpoint
    if endpoint is None:
        return Outcome(False, None, "The webhook endpoint was removed.", permanent=True)
    if not endpoint.is_active:
        return Outcome(False, None, "The webhook endpoint is switched off.", permanent=True)
    request = webhooks.prepare(
        endpoint.kind,
        url=delivery.address,
        secret=endpoint.secret,
        payload=delivery.payload,
        delivery_id=delivery.pk,
        event=delivery.event,
        now=now,
    )
    try:
        with httpx.Client(timeout=timeout(), follow_redirects=False) as client:
            response = client.post(request.url, content=request.body, headers=request.headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Outcome(False, None, _describe(exc))
    refused = webhooks.refusal(endpoint.kind, response.status_code, response.content)
    if refused:
        return Outcome(False, response.status_code, refused)
    return Outcome(True, response.status_code)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")[:1000]
