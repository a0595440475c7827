"""Business calendars: the default Chinese one, a site's own, and the working-time
arithmetic built from one."""

from datetime import time

from . import china
from .models import BusinessCalendar, CalendarDay, WorkingWindow
from .worktime import WorkingTime

DEFAULT_CODE = "cn-default"


def install_default_calendar(calendar_model, window_model, day_model):
    """The Chinese default: Mon–Fri 08:30–12:00 and 13:30–17:30, statutory days from the
    package. Takes the model classes so that a migration can pass its historical ones."""
    calendar, created = calendar_model.objects.get_or_create(
        code=DEFAULT_CODE,
        defaults={"name": "中国标准工作日历 China working calendar", "time_zone": "Asia/Shanghai"},
    )
    if created:
        window_model.objects.bulk_create(
            window_model(
                calendar=calendar,
                weekday=weekday,
                start=time.fromisoformat(start),
                end=time.fromisoformat(end),
            )
            for weekday in range(5)
            for start, end in china.DEFAULT_WINDOWS
        )
    add_days(calendar, day_model, china.chinese_days(china.known_years()))
    return calendar


def add_days(calendar, day_model, days) -> int:
    existing = set(day_model.objects.filter(calendar=calendar).values_list("date", flat=True))
    new = [
        day_model(calendar=calendar, date=day, kind=kind, name=name)
        for day, kind, name in days
        if day not in existing
    ]
    day_model.objects.bulk_create(new)
    return len(new)


def calendar_for(site_id=None) -> BusinessCalendar:
    """The site's own calendar if it has one, else the default."""
    if site_id:
        own = BusinessCalendar.objects.filter(site_id=site_id).first()
        if own is not None:
            return own
    default = BusinessCalendar.objects.filter(site__isnull=True).order_by("id").first()
    if default is None:
        default = install_default_calendar(BusinessCalendar, WorkingWindow, CalendarDay)
    return default


def working_time(calendar: BusinessCalendar) -> WorkingTime:
    windows: dict[int, list[tuple[time, time]]] = {}
    for window in calendar.windows.all():
        windows.setdefault(window.weekday, []).append((window.start, window.end))
    exceptions = {day: kind == "workday" for day, kind in calendar.days.values_list("date", "kind")}
    return WorkingTime(time_zone=calendar.time_zone, windows=windows, exceptions=exceptions)
