"""Whose notifications are whose: a user sees and changes only their own.

Every list and single notification goes through here; someone else's answers 404, the same
as one that does not exist.
"""

from django.db.models import QuerySet
from django.http import Http404

from .choices import Channel, NotifyEvent, default_enabled
from .models import Notification, NotificationPreference


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def own_notifications(user) -> QuerySet[Notification]:
    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


BIGINT = 2**63 - 1


def get_notification_for(user, pk) -> Notification:
    try:
        if not 0 < int(pk) <= BIGINT:
            raise Http404
        return own_notifications(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(user) -> int:
    """One query for a signed-in user, none for anybody else."""
    if not _active(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_for(user) -> dict[tuple[str, str], bool]:
    """Every (event, channel) with what applies to ``user`` now: their choice or the default."""
    grid = {
        (event, channel): default_enabled(event, channel)
        for event in NotifyEvent.values
        for channel in Channel.values
    }
    for event, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
        "event", "channel", "enabled"
    ):
        if (event, channel) in grid:
            grid[event, channel] = enabled
    return grid
