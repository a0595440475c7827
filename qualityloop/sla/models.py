from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qualityloop.catalog.choices import CustomerTier
from qualityloop.complaints.choices import Channel, Severity

from .choices import Basis, ClockKind, ClockState, DayKind, Recipient, Weekday


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone “%(tz)s”."), params={"tz": value})


class BusinessCalendar(models.Model):
    """Working time for deadlines: windows per weekday plus dated holidays and make-up days.

    The calendar without a site is the default; a site (plant) may have its own.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    site = models.OneToOneField(
        "catalog.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class WorkingWindow(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working window")
        verbose_name_plural = _("working windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="window_starts_before_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is None or self.end is None or not self.calendar_id:
            return
        if self.start >= self.end:
            raise ValidationError({"end": _("A window must end after it starts.")})
        overlapping = WorkingWindow.objects.filter(
            calendar_id=self.calendar_id,
            weekday=self.weekday,
            start__lt=self.end,
            end__gt=self.start,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("This window overlaps another window of the same day."))


class CalendarDay(models.Model):
    """A dated exception: a holiday, or a weekend day worked in exchange (调休)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class SlaPolicy(models.Model):
    """Targets chosen by conditions. For each clock the first active policy (lowest
    ``priority``) whose conditions all match and which has a target for that clock wins, so a
    narrow policy may set one target and leave the rest to the default."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower first."))
    is_active = models.BooleanField(_("active"), default=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), null=True, blank=True, choices=Severity.choices
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Also matches its subcategories."),
    )
    customer_tier = models.CharField(
        _("customer tier"), max_length=20, blank=True, choices=CustomerTier.choices
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True, choices=Channel.choices)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    duration = models.DurationField(_("time allowed"))
    basis = models.CharField(
        _("counted in"), max_length=10, choices=Basis.choices, default=Basis.WORKING
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (per cent of the time)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        ordering = ["policy", "clock"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "clock"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=models.Q(duration__gt=timedelta(0)), name="sla_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()}: {self.duration} ({self.get_basis_display()})"


class SlaClock(models.Model):
    """One deadline of one complaint. Target, basis and calendar are copied when it starts,
    so editing a policy never moves a running clock."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    target = models.ForeignKey(SlaTarget, null=True, blank=True, on_delete=models.SET_NULL)
    duration = models.DurationField(_("time allowed"))
    basis = models.CharField(_("counted in"), max_length=10, choices=Basis.choices)
    warn_percent = models.PositiveSmallIntegerField(default=80)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"))
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    late_by = models.DurationField(_("late by"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # Bumped whenever due or warning time moves; a scheduled task for an older generation
    # finds it has nothing to do.
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=models.Q(stopped_at__isnull=True),
                name="one_running_clock_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def state(self) -> str:
        if self.stopped_at is not None:
            return ClockState.MISSED if self.late_by else ClockState.MET
        if self.paused_at is not None:
            return ClockState.PAUSED
        return ClockState.RUNNING


class EscalationStep(models.Model):
    """One rung of the escalation chain: who hears of a missed deadline, and how long after
    the deadline, by severity. Rung 1 (the owner) usually hears at once."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    recipient = models.CharField(_("who"), max_length=20, choices=Recipient.choices)
    after_critical = models.DurationField(_("after the deadline, critical"))
    after_major = models.DurationField(_("after the deadline, major"))
    after_minor = models.DurationField(_("after the deadline, minor"))

    class Meta:
        ordering = ["level"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation chain")

    def __str__(self) -> str:
        return f"{self.level}. {self.get_recipient_display()}"

    def lead_time(self, severity: int) -> timedelta:
        return {Severity.CRITICAL: self.after_critical, Severity.MAJOR: self.after_major}.get(
            severity, self.after_minor
        )


class MajorCase(models.Model):
    """重大质量问题立案: a complaint still open after a week. It needs a rectification plan
    (质量问题整改措施表) and a report to management before the complaint may close."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="major_case"
    )
    opened_at = models.DateTimeField(_("opened"))
    plan_submitted_at = models.DateTimeField(
        _("plan reported to management"), null=True, blank=True
    )
    plan_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("major quality case")
        verbose_name_plural = _("major quality cases")

    def __str__(self) -> str:
        return str(self.complaint)


class RectificationItem(models.Model):
    case = models.ForeignKey(MajorCase, on_delete=models.CASCADE, related_name="items")
    measure = models.TextField(_("measure"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")

    def __str__(self) -> str:
        return self.measure[:60]


class SummaryRun(models.Model):
    """One weekly or monthly management summary; the unique period makes it go out once."""

    period = models.CharField(max_length=10)  # "weekly" / "monthly"
    period_start = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "period_start"], name="summary_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.period_start}"
