"""Deadline arithmetic over working windows, lunch breaks, weekends, holidays and 调休."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualityloop.sla import calendars, china, services
from qualityloop.sla.models import BusinessCalendar, CalendarDay, WorkingWindow
from qualityloop.sla.worktime import NoWorkingTime, WorkingTime

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args, tz=SHANGHAI):
    return datetime(*args, tzinfo=tz)


@pytest.fixture
def china_time(db) -> WorkingTime:
    return calendars.working_time(calendars.calendar_for())


def test_the_default_calendar_ships_chinese_hours_and_statutory_days(db):
    calendar = calendars.calendar_for()
    assert (calendar.code, calendar.time_zone) == ("cn-default", "Asia/Shanghai")
    with translation.override("en"):
        assert [str(w) for w in calendar.windows.filter(weekday=0)] == [
            "Monday 08:30–12:00",
            "Monday 13:30–17:30",
        ]
    assert not calendar.windows.filter(weekday__gte=5).exists()
    national_day = calendar.days.filter(date__range=(date(2026, 10, 1), date(2026, 10, 7)))
    assert set(national_day.values_list("kind", "name")) == {("holiday", "国庆节")}
    assert calendar.days.get(date=date(2026, 10, 10)).kind == "workday"


def test_every_known_day_agrees_with_an_independent_package(china_time):
    """chinese-calendar feeds the calendar; the holidays package checks it, day by day."""
    oracle = holidays.China(years=china.known_years())
    day, last = date(china.FIRST_YEAR, 1, 1), date(max(china.known_years()), 12, 31)
    checked = disagreements = 0
    while day <= last:
        checked += 1
        if china_time.is_workday(day) != oracle.is_working_day(day):
            disagreements += 1
        day += timedelta(days=1)
    assert (checked, disagreements) == ((last - date(china.FIRST_YEAR, 1, 1)).days + 1, 0)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # 30 minutes before lunch, the rest after it
        (at(2026, 3, 2, 11, 30), 1, at(2026, 3, 2, 14, 0)),
        # starting in the lunch break counts from 13:30
        (at(2026, 3, 2, 12, 15), 1, at(2026, 3, 2, 14, 30)),
        # starting before work counts from 08:30
        (at(2026, 3, 2, 6, 0), 2, at(2026, 3, 2, 10, 30)),
        # ending exactly at the end of a window stays there
        (at(2026, 3, 2, 13, 30), 4, at(2026, 3, 2, 17, 30)),
        # over a weekend
        (at(2026, 3, 6, 17, 0), 1, at(2026, 3, 9, 9, 0)),
        # Mid-autumn (Fri 25 Sep) and a weekend
        (at(2026, 9, 24, 17, 0), 2, at(2026, 9, 28, 10, 0)),
        # National Day, then the make-up Saturday 10 Oct worked with Monday's hours
        (at(2026, 10, 9, 17, 0), 1, at(2026, 10, 10, 9, 0)),
        # the eve of National Day: 40 minutes, seven days off, then a full day
        (at(2026, 9, 30, 16, 50), 8, at(2026, 10, 8, 17, 20)),
        # the make-up Sunday 20 Sep is a working day
        (at(2026, 9, 18, 16, 50), 24, at(2026, 9, 23, 9, 20)),
        # across the year boundary: New Year holidays, make-up Sunday 4 Jan
        (at(2025, 12, 31, 17, 0), 1, at(2026, 1, 4, 9, 0)),
        # the same instant given in UTC
        (at(2026, 3, 2, 3, 30, tz=ZoneInfo("UTC")), 1, at(2026, 3, 2, 14, 0)),
    ],
)
def test_deadlines(china_time, start, hours, due):
    assert china_time.add(start, timedelta(hours=hours)) == due
    assert china_time.between(start, due) == timedelta(hours=hours)


def test_a_calendar_abroad_follows_its_daylight_saving_time():
    berlin = WorkingTime("Europe/Berlin", {d: [(time(9), time(17))] for d in range(5)})
    friday = at(2026, 3, 27, 16, 0, tz=ZoneInfo("Europe/Berlin"))  # clocks go forward Sunday
    due = berlin.add(friday, timedelta(hours=2))
    assert due == at(2026, 3, 30, 10, 0, tz=ZoneInfo("Europe/Berlin"))
    assert due.astimezone(ZoneInfo("UTC")) == at(2026, 3, 30, 8, 0, tz=ZoneInfo("UTC"))


def test_zero_negative_and_impossible(china_time):
    start = at(2026, 10, 3, 10, 0)
    assert china_time.add(start, timedelta(0)) == start
    with pytest.raises(ValueError, match="negative"):
        china_time.add(start, timedelta(minutes=-1))
    never = WorkingTime("Asia/Shanghai", {})
    with pytest.raises(NoWorkingTime):
        never.add(start, timedelta(minutes=1))
    assert china_time.between(at(2026, 10, 8, 9, 0), at(2026, 10, 8, 8, 0)) == -timedelta(
        minutes=30
    )


def test_working_instants(china_time):
    assert china_time.is_working(at(2026, 3, 2, 8, 30))
    assert not china_time.is_working(at(2026, 3, 2, 12, 0))
    assert not china_time.is_working(at(2026, 10, 1, 10, 0))
    assert china_time.is_working(at(2026, 10, 10, 10, 0))


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(SHANGHAI)
)
durations = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@pytest.fixture(scope="module")
def fixed_china_time(django_db_setup, django_db_blocker) -> WorkingTime:
    with django_db_blocker.unblock():
        return calendars.working_time(calendars.calendar_for())


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=instants, first=durations, second=durations)
def test_adding_time_is_consistent(fixed_china_time, start, first, second):
    wt = fixed_china_time
    due = wt.add(start, first)
    assert due >= start
    assert wt.between(start, due) == first
    assert wt.add(start, first + second) == wt.add(due, second)
    if first:
        assert wt.is_working(due - timedelta(microseconds=1))


@pytest.mark.django_db
def test_days_set_by_hand_survive_a_sync():
    calendar = calendars.calendar_for()
    CalendarDay.objects.filter(calendar=calendar, date=date(2026, 10, 10)).update(
        kind="holiday", name="公司年假"
    )
    CalendarDay.objects.filter(calendar=calendar, date=date(2026, 10, 1)).delete()
    assert services.sync_holidays(calendar=calendar, years=[2026]) == 1
    assert calendar.days.get(date=date(2026, 10, 10)).name == "公司年假"
    assert calendar.days.get(date=date(2026, 10, 1)).name == "国庆节"


@pytest.mark.django_db
def test_a_site_may_have_its_own_calendar():
    from qualityloop.catalog.models import Site

    plant = Site.objects.create(code="dg", name="东莞工厂")
    other = Site.objects.create(code="sz", name="苏州工厂")
    own = BusinessCalendar.objects.create(code="dg", name="东莞两班", site=plant)
    WorkingWindow.objects.create(calendar=own, weekday=5, start=time(8), end=time(12))
    assert calendars.calendar_for(plant.pk) == own
    assert calendars.calendar_for(other.pk).code == "cn-default"
    assert calendars.working_time(own).is_working(at(2026, 3, 7, 9, 0))


@pytest.mark.django_db
def test_overlapping_windows_are_refused():
    from django.core.exceptions import ValidationError

    calendar = calendars.calendar_for()
    window = WorkingWindow(calendar=calendar, weekday=0, start=time(11), end=time(14))
    with pytest.raises(ValidationError):
        window.full_clean()
