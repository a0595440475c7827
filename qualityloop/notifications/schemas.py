"""What the notifications API reads and writes."""

from datetime import datetime

from ninja import Field, Schema

from .choices import NotifyEvent


class ListQuery(Schema):
    unread: bool = Field(False, description="Only notifications not yet read.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class NotificationOut(Schema):
    id: int
    event: NotifyEvent
    event_label: str
    title: str = Field(description="In the language the request asks for.")
    body: str
    complaint: int | None
    url: str = Field(description="The complaint page, or empty.")
    data: dict
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int = Field(description="How many match the filter.")
    unread: int = Field(description="How many of yours are unread.")


class ReadAllOut(Schema):
    marked: int
