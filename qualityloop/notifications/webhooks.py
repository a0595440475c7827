"""The four webhook formats: what each receiver expects, how it is signed, how it answers.

- generic: our own JSON ``{"event", "occurred_at", "data", "title", "body"}``, signed with
  ``X-QualityLoop-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{raw_body}")>``.
- WeCom group robot: ``{"msgtype": "markdown", "markdown": {"content"}}``; the key is in the URL.
- DingTalk robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a secret,
  ``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret, f"{timestamp}\\n{secret}")>``.
- Feishu custom bot: ``{"msg_type": "text", "content": {"text"}}``; with a secret the body
  also carries ``timestamp`` (seconds) and ``sign`` = base64 HMAC-SHA256 keyed with
  ``f"{timestamp}\\n{secret}"`` over an empty message.

The robots answer HTTP 200 even when they refuse a message, with a non-zero ``errcode``
(WeCom, DingTalk) or ``code`` (Feishu) in the JSON body; that is a failure.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import WebhookKind

# WeCom refuses markdown over 4096 bytes; the others allow more, one limit keeps them alike.
MAX_TEXT_BYTES = 4000


@dataclass(frozen=True)
class Request:
    url: str
    headers: dict[str, str]
    body: bytes


def message(
    kind: str,
    *,
    event: str,
    title: str,
    body: str,
    link: str,
    data: dict,
    occurred_at: str,
    language: str,
) -> dict:
    """The JSON a receiver of ``kind`` gets, before any signature."""
    if kind == WebhookKind.GENERIC:
        return {
            "event": event,
            "occurred_at": occurred_at,
            "data": data,
            "title": title,
            "body": body,
        }
    with translation.override(language):
        open_link = f"[{_('Open the complaint')}]({link})" if link else ""
    if kind == WebhookKind.WECOM:
        content = "\n".join(p for p in (f"**{title}**", body, open_link) if p)
        return {"msgtype": "markdown", "markdown": {"content": clip(content)}}
    if kind == WebhookKind.DINGTALK:
        # DingTalk's markdown starts a new line only after a blank one.
        paragraphs = [f"#### {title}", *body.splitlines(), open_link]
        text = "\n\n".join(p for p in paragraphs if p)
        return {"msgtype": "markdown", "markdown": {"title": title, "text": clip(text)}}
    if kind == WebhookKind.FEISHU:
        text = "\n".join(p for p in (title, body, link) if p)
        return {"msg_type": "text", "content": {"text": clip(text)}}
    raise ValueError(f"unknown webhook kind {kind!r}")


def clip(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


def encode(payload: dict) -> bytes:
    return json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode("utf-8")


def generic_signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = f"{timestamp}.".encode() + raw_body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 of the HMAC, not yet URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def prepare(
    kind: str, *, url: str, secret: str, payload: dict, delivery_id: int, event: str, now: datetime
) -> Request:
    """The HTTP request to send now: signatures are made at send time, never stored."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    seconds = int(now.timestamp())
    if kind == WebhookKind.GENERIC:
        body = encode(payload)
        headers |= {
            "X-QualityLoop-Event": event,
            "X-QualityLoop-Timestamp": str(seconds),
            "X-QualityLoop-Signature": generic_signature(secret, seconds, body),
            "X-QualityLoop-Delivery": str(delivery_id),
        }
        return Request(url, headers, body)
    if kind == WebhookKind.DINGTALK and secret:
        millis = int(now.timestamp() * 1000)
        sign = quote_plus(dingtalk_sign(secret, millis))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={millis}&sign={sign}"
    if kind == WebhookKind.FEISHU and secret:
        payload = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **payload}
    return Request(url, headers, encode(payload))


def refusal(kind: str, status_code: int, content: bytes) -> str | None:
    """Why the receiver's answer means the message did not arrive, or None if it did."""
    if not 200 <= status_code < 300:
        text = content[:300].decode("utf-8", errors="replace").strip()
        return f"HTTP {status_code}" + (f": {text}" if text else "")
    if kind == WebhookKind.GENERIC:
        return None
    try:
        answer = json.loads(content or b"null")
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    if kind in (WebhookKind.WECOM, WebhookKind.DINGTALK):
        code, text = answer.get("errcode"), answer.get("errmsg", "")
        label = "errcode"
    else:
        code = answer.get("code", answer.get("StatusCode"))
        text = answer.get("msg", answer.get("StatusMessage", ""))
        label = "code"
    if code in (None, 0, "0"):
        return None
    return f"{label} {code}" + (f": {text}" if text else "")
