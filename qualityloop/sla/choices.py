from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day (调休)")


class ClockKind(models.TextChoices):
    """What a deadline times. The first five run from receipt; the stage clocks time a stage
    (and give its task the due time)."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
    FIRST_RESPONSE = "first_response", _("First response")
    ANSWER = "answer", _("Answer (处理方案)")
    CONTAINMENT = "containment", _("Containment")
    CLOSURE = "closure", _("Closure")
    INTAKE = "intake", _("Stage: intake")
    CLASSIFICATION = "classification", _("Stage: classification")
    DIAGNOSIS = "diagnosis", _("Stage: diagnosis")
    ROOT_CAUSE = "root_cause", _("Root cause")
    CAPA_PLAN = "capa_planning", _("CAPA plan")
    EXECUTION = "execution", _("Stage: execution")
    VERIFICATION = "verification", _("Stage: verification")
    KNOWLEDGE = "knowledge", _("Stage: knowledge")


class Basis(models.TextChoices):
    WORKING = "working", _("Working time")
    CALENDAR = "calendar", _("Calendar time")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


class Recipient(models.TextChoices):
    OWNER = "owner", _("Task owner")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    EXECUTIVE = "executive", _("Executive")


class ManagementReason(models.TextChoices):
    UNSATISFIED = "unsatisfied", _("Customer not satisfied")
    LEGAL = "legal", _("Legal dispute")
    UNRESOLVED = "unresolved", _("Unresolved")
