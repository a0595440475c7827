"""Working-time arithmetic over a business calendar. Pure: no database, no clock.

A calendar is a time zone, working windows per weekday (several a day, so a lunch break is
simply the gap between two windows), and dated exceptions: holidays, and make-up working
days (调休) that fall on a weekend and are worked like an ordinary weekday.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A make-up working day is worked with this weekday's windows (Monday).
STANDARD_WEEKDAY = 0
# Every search for working time stops after this many calendar days.
HORIZON_DAYS = 3700


class NoWorkingTime(ValueError):
    """The calendar has no working time within the horizon."""


@dataclass(frozen=True)
class WorkingTime:
    time_zone: str
    windows: Mapping[int, Sequence[tuple[time, time]]]
    # date → True for a make-up working day, False for a holiday
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return bool(self.windows.get(day.weekday()))

    def windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of ``day`` as aware datetimes, in order."""
        if not self.is_workday(day):
            return []
        weekday = day.weekday()
        if self.exceptions.get(day) and not self.windows.get(weekday):
            weekday = STANDARD_WEEKDAY
        tz = self.tz
        return [
            (datetime.combine(day, start, tz), datetime.combine(day, end, tz))
            for start, end in sorted(self.windows.get(weekday, ()))
            if start < end
        ]

    def _intervals(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals that end after ``moment``, from ``moment``'s local day on."""
        day = moment.astimezone(self.tz).date()
        for offset in range(HORIZON_DAYS):
            for start, end in self.windows_on(day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end
        raise NoWorkingTime(f"no working time within {HORIZON_DAYS} days of {moment.isoformat()}")

    def is_working(self, moment: datetime) -> bool:
        day = moment.astimezone(self.tz).date()
        return any(start <= moment < end for start, end in self.windows_on(day))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time after ``start`` has passed."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        if duration == timedelta(0):
            return start
        left = duration
        for begin, end in self._intervals(start):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable")  # _intervals raises at its horizon

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative when ``end`` comes first)."""
        if end < start:
            return -self.between(end, start)
        total = timedelta(0)
        first_day = start.astimezone(self.tz).date()
        last_day = end.astimezone(self.tz).date()
        day = first_day
        while day <= last_day:
            for begin, finish in self.windows_on(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total
