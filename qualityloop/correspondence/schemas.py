"""What the messages API reads and writes."""

from datetime import datetime

from ninja import Field, Schema

from qualityloop.core.schemas import Input, Moment, Text

from .choices import MessageChannel, TemplateCode
from .models import BODY_MAX, SUBJECT_MAX, Message


class MessageUserRef(Schema):
    id: int
    label: str


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    sender: str
    recipient: str
    subject: str
    body: str
    template: str | None
    language: str
    status: str | None = Field(description="queued, sent or failed; null for received ones")
    error: str
    created_by: MessageUserRef | None = Field(description="null: sent by the system")
    created_at: datetime
    sent_at: datetime | None
    occurred_at: datetime | None
    resent_from: int | None


def message_out(message: Message) -> dict:
    by = message.created_by
    return {
        "id": message.pk,
        "direction": message.direction,
        "channel": message.channel,
        "sender": message.sender,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "template": message.template_code,
        "language": message.language,
        "status": message.status or None,
        "error": message.error,
        "created_by": {"id": by.pk, "label": str(by)} if by else None,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "occurred_at": message.occurred_at,
        "resent_from": message.resent_from_id,
    }


class MessageIn(Input):
    """Either a ``template`` (rendered in the complainant's language, with ``message`` for
    its free-text slot), or your own ``subject`` and ``body``, or a template and your edited
    text. E-mail goes out after the answer; other channels log what you told the complainant."""

    template: TemplateCode | None = None
    language: str | None = Field(None, pattern="^(zh-hans|en)$")
    channel: MessageChannel = MessageChannel.EMAIL
    subject: Text | None = Field(None, max_length=SUBJECT_MAX)
    body: Text | None = Field(None, max_length=BODY_MAX)
    message: Text = Field("", max_length=BODY_MAX)


class ReceivedMessageIn(Input):
    channel: MessageChannel
    body: Text = Field(max_length=BODY_MAX)
    subject: Text = Field("", max_length=SUBJECT_MAX)
    sender: Text = Field("", max_length=254)
    occurred_at: Moment | None = None


class MessagePreviewOut(Schema):
    subject: str
    body: str


class MessagePreviewQuery(Schema):
    template: TemplateCode
    language: str | None = Field(None, pattern="^(zh-hans|en)$")
    message: Text = Field("", max_length=BODY_MAX)
