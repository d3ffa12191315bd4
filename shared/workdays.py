"""Working days in Vietnam: weekends, public holidays and the government's overrides.

The base is the `holidays` package's Vietnam calendar (it computes the lunar
dates and the announced substitutions, and knows make-up working Saturdays).
Each year the government may announce more days off or make-up working days;
those arrive as overrides (catalog's ``calendar_updated`` events). Dates are
local dates in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import holidays

from shared.vn.time import VN_TZ

WEEKEND = (5, 6)  # Saturday, Sunday


@cache
def _base(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        base = _base(day.year)
        if day in getattr(base, "weekend_workdays", ()):
            return True
        return day.weekday() not in WEEKEND and day not in base

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The moment ``days`` working days after ``start``, at the same local time.

        Counting starts on the day after ``start``'s local date, so a dossier
        accepted on a Friday with a 1-day limit is due on Monday (if Monday works).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        local = start.astimezone(VN_TZ)
        day = local.date()
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return datetime.combine(day, local.timetz()).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days lie after ``start``'s local date up to ``end``'s."""
        first = start.astimezone(VN_TZ).date()
        last = end.astimezone(VN_TZ).date()
        return sum(
            self.is_working_day(first + timedelta(days=n))
            for n in range(1, (last - first).days + 1)
        )


def calendar_from(years: Iterable[Mapping[str, Any]]) -> WorkCalendar:
    """The calendar with the overrides of catalog's ``calendar_updated`` events, as each
    consuming service keeps them (one document per year: ``days_off``, ``working_days``)."""
    days_off: set[date] = set()
    working: set[date] = set()
    for doc in years:
        days_off.update(date.fromisoformat(d) for d in doc.get("days_off") or [])
        working.update(date.fromisoformat(d) for d in doc.get("working_days") or [])
    return WorkCalendar(frozenset(days_off), frozenset(working))
