"""Time as the domain counts it: instants in UTC, business dates and days in Europe/Oslo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def now() -> datetime:
    return datetime.now(UTC)


def oslo_date(instant: datetime) -> date:
    return instant.astimezone(OSLO).date()


def today_in_oslo() -> date:
    return oslo_date(now())


def end_of_day_in_oslo(day: date) -> datetime:
    """The last second of `day` in Oslo (23:59:59 local time), as an aware instant."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=OSLO)


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def days_between(first: date, last: date) -> int:
    """Calendar days of a stay from `first` to `last` (the last day not counted; a stay
    that starts and ends on the same day counts as one)."""
    return max((last - first).days, 1)


CLOCK_SKEW = timedelta(minutes=5)
