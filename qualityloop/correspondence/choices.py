from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateCode(models.TextChoices):
    """What a message template is for; each exists once per language."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    PROGRESS = "progress", _("Progress update")
    ANSWER = "answer", _("Answer (处理方案)")
    CLOSURE = "closure", _("Closure")
    REJECTION = "rejection", _("Rejection")
    REQUEST_INFORMATION = "request_information", _("Request for information")
    CUSTOM = "custom", _("Free text")


class Direction(models.TextChoices):
    OUT = "out", _("To the complainant")
    IN = "in", _("From the complainant")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    CHAT = "chat", _("Chat")
    OTHER = "other", _("Other")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


DELIVERY_COLOURS = {
    DeliveryStatus.QUEUED: "grey",
    DeliveryStatus.SENT: "green",
    DeliveryStatus.FAILED: "red",
}


class Milestone(models.TextChoices):
    """Moments in the workflow at which the complainant is told automatically."""

    ANSWER = "answer", _("Answer recorded")
    CLOSURE = "closure", _("Complaint closed")
    REJECTION = "rejection", _("Complaint rejected")
