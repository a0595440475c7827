from django.db import models
from django.utils.translation import gettext_lazy as _


class NotifyEvent(models.TextChoices):
    """What a notification is about. ``data`` keys each event carries are listed beside it;
    every event also carries ``complaint`` (id), ``number``, ``title``, ``severity`` (int),
    ``severity_label`` and ``url`` (the complaint page's path) when it concerns a complaint."""

    SLA_WARNING = "sla_warning", _("Deadline approaching")  # clock, clock_label, due_at, share
    SLA_MISSED = "sla_missed", _("Deadline missed")  # clock, clock_label, due_at
    ESCALATION = "escalation", _("Escalation")  # clock_label, due_at, level, level_label, late_by
    CRITICAL = "critical", _("Critical or claim complaint")  # reason
    MEETING = "meeting", _("Response meeting due")  # task, task_title, due_at
    MAJOR_CASE = "major_case", _("Major quality case opened")  # opened_at, days_open
    REMINDER = "reminder", _("Reminder (催办)")  # message, sender, task_title
    MANAGEMENT = "management", _("Escalated to management")  # reason, reason_label, note
    TASK_ASSIGNED = "task_assigned", _("Task assigned to you")  # task, task_title, due_at
    SUMMARY = "summary", _("Management summary")  # period, period_label, counts (dict)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")


# Events whose e-mail a user gets unless they turn it off; the others only in the app.
EMAIL_OFF_BY_DEFAULT = frozenset({NotifyEvent.SLA_WARNING, NotifyEvent.TASK_ASSIGNED})


def default_enabled(event: str, channel: str) -> bool:
    """What a user gets when they have not chosen: everything in the app, most by e-mail."""
    return channel == Channel.IN_APP or event not in EMAIL_OFF_BY_DEFAULT


class WebhookKind(models.TextChoices):
    GENERIC = "generic", _("Generic JSON (signed)")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu custom bot")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Failed for good")


DELIVERY_STATUS_COLOURS = {
    DeliveryStatus.PENDING: "grey",
    DeliveryStatus.SENT: "green",
    DeliveryStatus.RETRYING: "orange",
    DeliveryStatus.DEAD: "red",
}
