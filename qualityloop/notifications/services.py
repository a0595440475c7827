"""Notifying people and systems, and keeping the delivery log. The only writers here.

``notify`` runs inside the caller's transaction: the notifications and the delivery log rows
commit or roll back with the change that caused them, and the sending is enqueued only after
commit. Sending never happens in the caller's request, so a dead endpoint cannot slow or
break the workflow.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from qualityloop.accounts.models import User
from qualityloop.core import backfill, clock
from qualityloop.core.effects import after_commit
from qualityloop.core.errors import NotAllowed, ValidationFailed

from . import access, messages, tasks, webhooks
from .choices import Channel, DeliveryChannel, DeliveryStatus, NotifyEvent, default_enabled
from .models import Delivery, Notification, NotificationPreference, WebhookEndpoint

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF = (60, 300, 1800, 7200, 21600)
# How long a claimed delivery is left to its worker before another may try it again.
CLAIM_LEASE = timedelta(minutes=5)


def backoff() -> list[int]:
    return [int(s) for s in getattr(settings, "NOTIFY_RETRY_BACKOFF", DEFAULT_BACKOFF)]


# ---------------------------------------------------------------- notify


def notify(
    *,
    event: str,
    recipients: Iterable,
    complaint=None,
    data: Mapping | None = None,
) -> list[Notification]:
    """Tell ``recipients`` (users or user ids) and the subscribed webhooks about ``event``.

    Each active recipient gets an in-app notification and an e-mail as their preferences say;
    each active webhook endpoint subscribed to the event gets one message. Returns the in-app
    notifications created.
    """
    if backfill.active():
        return []  # replayed history: nobody is told again about the past
    event = NotifyEvent(event)
    data = _event_data(complaint, data)
    now = clock.now()
    with transaction.atomic():
        users = _recipients(recipients)
        wants = _preferences(users, event)
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient=user,
                event=event,
                complaint=complaint,
                data=data,
                created_at=now,
            )
            for user in users
            if wants(user, Channel.IN_APP)
        )
        by_user = {n.recipient_id: n for n in notifications}
        deliveries = [
            _email_delivery(user, event, data, by_user.get(user.pk), now)
            for user in users
            if user.email and wants(user, Channel.EMAIL)
        ]
        deliveries += [
            _webhook_delivery(endpoint, event, data, now)
            for endpoint in WebhookEndpoint.objects.filter(is_active=True).order_by("pk")
            if endpoint.wants(event)
        ]
        for delivery in Delivery.objects.bulk_create(deliveries):
            after_commit(partial(_enqueue, delivery.pk), robust=True)
    return notifications


def _event_data(complaint, data: Mapping | None) -> dict:
    merged = {}
    if complaint is not None:
        # Labels are display text stored once; the installation's language is the one
        # every reader shares.
        with translation.override(settings.LANGUAGE_CODE):
            severity_label = str(complaint.get_severity_display())
        merged = {
            "complaint": complaint.pk,
            "number": complaint.number,
            "title": complaint.title,
            "severity": complaint.severity,
            "severity_label": severity_label,
            "url": reverse("complaint-detail", args=[complaint.pk]),
        }
    merged.update(data or {})
    # Stored and rendered alike: moments become ISO text, lazy labels plain text.
    return json.loads(json.dumps(merged, cls=DjangoJSONEncoder))


def _recipients(recipients: Iterable) -> list[User]:
    ids = []
    for recipient in recipients or ():
        pk = getattr(recipient, "pk", recipient)
        if pk is not None and pk not in ids:
            ids.append(pk)
    if not ids:
        return []
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _preferences(users: list[User], event: str):
    chosen = {}
    if users:
        chosen = {
            (user_id, channel): enabled
            for user_id, channel, enabled in NotificationPreference.objects.filter(
                user__in=users, event=event
            ).values_list("user_id", "channel", "enabled")
        }

    def wants(user: User, channel: str) -> bool:
        return chosen.get((user.pk, channel), default_enabled(event, channel))

    return wants


def _email_delivery(user: User, event, data: dict, notification, now) -> Delivery:
    title, body = messages.render(event, data, user.language)
    link = messages.link(data)
    return Delivery(
        channel=DeliveryChannel.EMAIL,
        recipient=user,
        address=user.email,
        event=event,
        notification=notification,
        payload={"subject": title, "body": f"{body}\n\n{link}" if link else body},
        created_at=now,
    )


def _webhook_delivery(endpoint: WebhookEndpoint, event, data: dict, now) -> Delivery:
    title, body = messages.render(event, data, endpoint.language)
    payload = webhooks.message(
        endpoint.kind,
        event=event,
        title=title,
        body=body,
        link=messages.link(data),
        data=data,
        occurred_at=now.isoformat(),
        language=endpoint.language,
    )
    return Delivery(
        channel=DeliveryChannel.WEBHOOK,
        endpoint=endpoint,
        address=endpoint.url,
        event=event,
        payload=payload,
        created_at=now,
    )


def _enqueue(delivery_id: int) -> None:
    tasks.deliver.enqueue(delivery_id)


# ---------------------------------------------------------------- the notification centre


def mark_read(*, actor: User, notification_id) -> Notification:
    """Mark one of ``actor``'s own notifications read; someone else's is not found (404)."""
    with transaction.atomic():
        notification = access.get_notification_for(actor, notification_id)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=clock.now()
            )
            notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    with transaction.atomic():
        return (
            access.own_notifications(actor).filter(read_at__isnull=True).update(read_at=clock.now())
        )


def set_preferences(*, actor: User, choices: Mapping[tuple[str, str], bool]) -> dict:
    """Save ``actor``'s choices, ``{(event, channel): enabled}``; returns the whole grid."""
    unknown = [
        f"{event}:{channel}"
        for event, channel in choices
        if event not in NotifyEvent.values or channel not in Channel.values
    ]
    if unknown:
        raise ValidationFailed(
            {"choices": [_("Unknown event or channel: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(
                    user=actor, event=event, channel=channel, enabled=bool(enabled)
                )
                for (event, channel), enabled in choices.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "event", "channel"],
            update_fields=["enabled"],
        )
    return access.preferences_for(actor)


# ---------------------------------------------------------------- the delivery log


def claim_delivery(*, delivery_id) -> Delivery | None:
    """Take a due delivery for one attempt, or None if it is sent, dead, not yet due or
    taken by another worker. Counting the attempt is the claim: only one worker moves
    ``attempts`` from the value it read."""
    now = clock.now()
    delivery = (
        Delivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .first()
    )
    if delivery is None:
        return None
    changes = {"attempts": F("attempts") + 1, "next_attempt_at": now + CLAIM_LEASE}
    # A webhook goes to its endpoint's address as it is now, so fixing a wrong URL in the
    # admin and retrying works.
    if delivery.endpoint is not None and delivery.endpoint.url != delivery.address:
        changes["address"] = delivery.address = delivery.endpoint.url
    claimed = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**changes)
    if not claimed:
        return None
    delivery.attempts += 1
    return delivery


def record_attempt(
    *, delivery_id, ok: bool, status_code=None, error: str = "", permanent: bool = False
) -> Delivery:
    """Write down how an attempt went: sent, failed and due again after the backoff, or dead
    once the backoff list is used up. The last error stays on record after a later success."""
    now = clock.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        delivery.last_status_code = status_code
        if ok:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
        else:
            delivery.last_error = error
            waits = backoff()
            if not permanent and delivery.attempts <= len(waits):
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = now + timedelta(seconds=waits[delivery.attempts - 1])
            else:
                delivery.status = DeliveryStatus.DEAD
                delivery.next_attempt_at = None
        delivery.save(
            update_fields=[
                "status",
                "sent_at",
                "next_attempt_at",
                "last_status_code",
                "last_error",
            ]
        )
    return delivery


def retry_deliveries(*, actor: User, delivery_ids: Iterable[int]) -> int:
    """Try failed deliveries again now (the admin's "retry now"). A dead delivery gets one
    more attempt; if that fails too it is dead again. Returns how many were queued."""
    if not (actor and actor.is_active and actor.is_staff):
        raise NotAllowed(_("Only administrators may retry deliveries."))
    now = clock.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update()
            .filter(
                pk__in=list(delivery_ids),
                status__in=[DeliveryStatus.RETRYING, DeliveryStatus.DEAD],
            )
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.RETRYING, next_attempt_at=now
        )
        for pk in ids:
            after_commit(partial(_enqueue, pk), robust=True)
    logger.info("%s queued %d deliveries to retry now", actor, len(ids))
    return len(ids)
