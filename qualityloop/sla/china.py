"""The Chinese statutory calendar, generated from the maintained ``chinese-calendar`` package.

The package knows each year once the State Council publishes it (usually in November for the
next year); an administrator adds later years by hand, or runs ``qualityloop sync_holidays``
after upgrading the package.
"""

from datetime import date, timedelta

import chinese_calendar

from .choices import DayKind

FIRST_YEAR = 2020
DEFAULT_WINDOWS = (("08:30", "12:00"), ("13:30", "17:30"))
WORKDAY_NAME = "调休上班"
NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def known_years() -> range:
    last = max(chinese_calendar.constants.holidays).year
    return range(FIRST_YEAR, last + 1)


def chinese_days(years) -> list[tuple[date, str, str]]:
    """(date, kind, name) for every holiday and make-up working day of ``years``."""
    days = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            if on_holiday and name:
                days.append((day, DayKind.HOLIDAY.value, NAMES_ZH.get(name, name)))
            elif not on_holiday and weekend:
                days.append((day, DayKind.WORKDAY.value, WORKDAY_NAME))
            day += timedelta(days=1)
    return days
