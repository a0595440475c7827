from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    WEB = "web", _("Web form")
    API = "api", _("API")
    INTERNAL = "internal", _("Internal finding")


class ComplainantType(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    DISTRIBUTOR = "distributor", _("Distributor")
    SUPPLIER = "supplier", _("Supplier")
    EMPLOYEE = "employee", _("Employee")
    REGULATOR = "regulator", _("Regulator")


class Severity(models.IntegerChoices):
    """紧急 / 重要 / 一般. Lower numbers sort first: the most severe leads a list."""

    CRITICAL = 1, _("Critical (紧急)")
    MAJOR = 2, _("Major (重要)")
    MINOR = 3, _("Minor (一般)")


SEVERITY_COLOURS = {Severity.CRITICAL: "red", Severity.MAJOR: "orange", Severity.MINOR: "blue"}


class SeveritySource(models.TextChoices):
    RULE = "rule", _("Grading rule")
    DEFAULT = "default", _("No rule matched")
    OVERRIDE = "override", _("Manual override")


class Scope(models.IntegerChoices):
    """How far the problem reaches; rules compare scope with "at least"."""

    UNIT = 1, _("A single unit")
    CUSTOMER = 2, _("One customer")
    BATCH = 3, _("A batch")
    MANY_CUSTOMERS = 4, _("Several customers")


class Remedy(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    CLAIM = "claim", _("Claim")
    EXPLANATION = "explanation", _("Explanation only")
    OTHER = "other", _("Other")


# Seed 001 treats returns and claims as major events.
CLAIM_OR_RETURN = frozenset({Remedy.RETURN, Remedy.REFUND, Remedy.COMPENSATION, Remedy.CLAIM})


class Warranty(models.TextChoices):
    IN = "in", _("In warranty")
    OUT = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Unknown")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskKind(models.TextChoices):
    """What a task is for; code finds tasks by kind, never by title."""

    STAGE = "stage", _("Stage")
    EXTRA = "extra", _("Extra task")
    RESPONSE_MEETING = "response_meeting", _("Response meeting")
    MANAGEMENT_REPORT = "management_report", _("Report to management")
    RECTIFICATION_PLAN = "rectification_plan", _("Rectification plan")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    EDITED = "edited", _("Fields changed")
    GRADED = "graded", _("Graded")
    TRANSITION = "transition", _("Stage changed")
    TASK_OPENED = "task_opened", _("Task opened")
    TASK_ASSIGNED = "task_assigned", _("Task assigned")
    TASK_COMPLETED = "task_completed", _("Task completed")
    TASK_CANCELLED = "task_cancelled", _("Task cancelled")
    ATTACHMENT = "attachment", _("Attachment added")
    COMMENT = "comment", _("Comment")
    CUSTOMER_ANSWER = "customer_answer", _("Answer to the complainant")
    ACKNOWLEDGEMENT_SENT = "ack_sent", _("Acknowledgement sent")
    MESSAGE_SENT = "message_sent", _("Message to the complainant")
    MESSAGE_RECEIVED = "message_received", _("Message from the complainant")
    CLOCK_STARTED = "clock_started", _("Deadline set")
    CLOCK_STOPPED = "clock_stopped", _("Deadline met or missed")
    CLOCK_MISSED = "clock_missed", _("Deadline missed")
    WAITING = "waiting", _("Waiting for the complainant")
    RESUMED = "resumed", _("Complainant replied")
    ESCALATED = "escalated", _("Escalated")
    REMINDER = "reminder", _("Reminder (催办)")
    MAJOR_CASE = "major_case", _("Major quality case")
    INVESTIGATION = "investigation", _("Investigation")
    ROOT_CAUSE = "root_cause", _("Root cause")
    ACTION = "capa_action", _("Corrective or preventive action")
    EFFECTIVENESS = "effectiveness", _("Effectiveness check")
    REMEDY = "remedy", _("Remedy for the customer")
    COST = "cost", _("Cost of quality")
    SIGNATURE = "signature", _("Electronic signature")
    SURVEY = "survey", _("Satisfaction survey")
    KNOWLEDGE = "knowledge", _("Knowledge entry")
