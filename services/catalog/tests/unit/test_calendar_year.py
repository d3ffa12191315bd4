"""The year view lists Tết and the other days off with Vietnamese names, plus overrides."""

from __future__ import annotations

from datetime import date

import pytest

from services.catalog.domain.calendar import YearOverrides, work_calendar, year_view
from services.catalog.domain.errors import InvalidCalendarError


def test_tet_2026_is_listed_with_its_vietnamese_name() -> None:
    view = year_view(YearOverrides(2026))
    days_off = {d["date"]: d["name"] for d in view["days_off"]}
    assert days_off["2026-02-17"] == "Tết Nguyên Đán"
    assert {"2026-02-16", "2026-02-18", "2026-02-19", "2026-02-20"} <= set(days_off)
    assert "2026-02-14" not in days_off  # a plain Saturday is not listed


def test_overrides_add_days_off_and_make_up_working_days() -> None:
    overrides = YearOverrides.parse(2026, [date(2026, 2, 23)], [date(2026, 2, 28)])
    view = year_view(overrides)
    assert {
        "date": "2026-02-23",
        "name": "Ngày nghỉ theo thông báo của Chính phủ",
        "source": "override",
    } in view["days_off"]
    assert view["working_days"][0]["date"] == "2026-02-28"
    calendar = work_calendar([overrides])
    assert not calendar.is_working_day(date(2026, 2, 23))
    assert calendar.is_working_day(date(2026, 2, 28))


@pytest.mark.parametrize(
    ("off", "work"),
    [
        ([date(2025, 12, 31)], []),
        ([date(2026, 3, 2)], [date(2026, 3, 2)]),
    ],
)
def test_inconsistent_overrides_are_refused(off: list[date], work: list[date]) -> None:
    with pytest.raises(InvalidCalendarError):
        YearOverrides.parse(2026, off, work)
