"""The working-day calendar of one year: the holidays package's base plus overrides.

The arithmetic itself is ``shared.workdays.WorkCalendar``, so the dossier
service computes the same dates from the same ``calendar_updated`` events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays

from services.catalog.domain.errors import InvalidCalendarError
from shared.workdays import WEEKEND, WorkCalendar

OVERRIDE_DAY_OFF = "Ngày nghỉ theo thông báo của Chính phủ"
OVERRIDE_WORKING_DAY = "Ngày làm việc bù theo thông báo của Chính phủ"
MAKE_UP_WORKING_DAY = "Ngày làm việc bù"
MIN_YEAR, MAX_YEAR = 2000, 2100


@cache
def _names(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


@dataclass(frozen=True)
class YearOverrides:
    year: int
    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, year: int, days_off: list[date], working_days: list[date]) -> YearOverrides:
        check_year(year)
        outside = [d for d in [*days_off, *working_days] if d.year != year]
        if outside:
            raise InvalidCalendarError(f"Ngày {outside[0].isoformat()} không thuộc năm {year}.")
        both = set(days_off) & set(working_days)
        if both:
            day = min(both).isoformat()
            raise InvalidCalendarError(
                f"Ngày {day} không thể vừa là ngày nghỉ vừa là ngày làm việc bù."
            )
        return cls(year, frozenset(days_off), frozenset(working_days))


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidCalendarError(f"Năm phải nằm trong khoảng {MIN_YEAR}–{MAX_YEAR}.")


def work_calendar(overrides: list[YearOverrides]) -> WorkCalendar:
    return WorkCalendar(
        days_off=frozenset(d for o in overrides for d in o.days_off),
        working_days=frozenset(d for o in overrides for d in o.working_days),
    )


def year_view(overrides: YearOverrides) -> dict[str, Any]:
    """Days off (other than plain weekends) and make-up working days of one year."""
    calendar = work_calendar([overrides])
    names = _names(overrides.year)
    days_off: list[dict[str, Any]] = []
    working: list[dict[str, Any]] = []
    day = date(overrides.year, 1, 1)
    while day.year == overrides.year:
        weekend = day.weekday() in WEEKEND
        works = calendar.is_working_day(day)
        if not works and (not weekend or day in names or day in overrides.days_off):
            source = "override" if day in overrides.days_off else "holiday"
            name = OVERRIDE_DAY_OFF if source == "override" else names.get(day, "")
            days_off.append({"date": day.isoformat(), "name": name, "source": source})
        elif works and weekend:
            source = "override" if day in overrides.working_days else "holiday"
            name = OVERRIDE_WORKING_DAY if source == "override" else MAKE_UP_WORKING_DAY
            working.append({"date": day.isoformat(), "name": name, "source": source})
        day += timedelta(days=1)
    return {
        "year": overrides.year,
        "days_off": days_off,
        "working_days": working,
        "overrides": {
            "days_off": sorted(d.isoformat() for d in overrides.days_off),
            "working_days": sorted(d.isoformat() for d in overrides.working_days),
        },
    }
