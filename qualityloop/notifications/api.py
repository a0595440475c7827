"""The notifications API, mounted at /api/v1/notifications.

Everyone sees and changes only their own notifications; another user's answers 404, the same
as one that does not exist. Titles and bodies follow ``Accept-Language``.
"""

from django.urls import reverse
from django.utils.translation import get_language
from ninja import Query, Router

from qualityloop.core.schemas import error_responses

from . import access, messages, services
from .models import Notification
from .schemas import ListQuery, NotificationOut, NotificationPage, ReadAllOut

READ_ERRORS = error_responses(401, 422)
WRITE_ERRORS = error_responses(401, 403, 404)

router = Router(tags=["notifications"])


def notification_out(notification: Notification, language: str) -> dict:
    title, body = messages.render(notification.event, notification.data, language)
    url = (
        reverse("complaint-detail", args=[notification.complaint_id])
        if notification.complaint_id
        else str(notification.data.get("url") or "")
    )
    return {
        "id": notification.pk,
        "event": notification.event,
        "event_label": str(notification.get_event_display()),
        "title": title,
        "body": body,
        "complaint": notification.complaint_id,
        "url": url,
        "data": notification.data,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("", response={200: NotificationPage, **READ_ERRORS}, summary="Your notifications")
def list_notifications(request, filters: Query[ListQuery]):
    notifications = access.own_notifications(request.auth)
    if filters.unread:
        notifications = notifications.filter(read_at__isnull=True)
    language = get_language()
    page = notifications[filters.offset : filters.offset + filters.limit]
    return {
        "items": [notification_out(n, language) for n in page],
        "count": notifications.count(),
        "unread": access.unread_count(request.auth),
    }


@router.post(
    "/read-all",
    response={200: ReadAllOut, **WRITE_ERRORS},
    summary="Mark all your notifications read",
)
def read_all(request):
    return {"marked": services.mark_all_read(actor=request.auth)}


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark one of your notifications read",
)
def read(request, notification_id: int):
    notification = services.mark_read(actor=request.auth, notification_id=notification_id)
    return notification_out(notification, get_language())
