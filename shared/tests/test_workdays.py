"""Working-day arithmetic on the Vietnamese calendar."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.vn.time import VN_TZ
from shared.workdays import WorkCalendar

CALENDAR = WorkCalendar()


def local(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=VN_TZ)


def test_weekends_and_fixed_holidays_are_days_off() -> None:
    assert not CALENDAR.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CALENDAR.is_working_day(date(2026, 9, 2))  # National Day
    assert CALENDAR.is_working_day(date(2026, 11, 23))  # Monday


def test_lunar_new_year_comes_from_the_holidays_package() -> None:
    assert not any(CALENDAR.is_working_day(date(2026, 2, d)) for d in range(16, 21))


def test_a_make_up_saturday_is_a_working_day() -> None:
    assert CALENDAR.is_working_day(date(2026, 8, 22))


def test_friday_plus_one_working_day_is_monday_at_the_same_local_time() -> None:
    due = CALENDAR.add_working_days(local(2026, 11, 20, 10), 1)
    assert due == local(2026, 11, 23, 10).astimezone(UTC)


def test_tet_is_skipped() -> None:
    # Friday 13 Feb 2026 + 1 working day: 14-15 weekend, 16-20 Tết, 21-22 weekend.
    assert CALENDAR.add_working_days(local(2026, 2, 13), 1).astimezone(VN_TZ).date() == date(
        2026, 2, 23
    )


def test_overrides_announced_by_the_government_win() -> None:
    calendar = WorkCalendar(
        days_off=frozenset({date(2026, 12, 7)}), working_days=frozenset({date(2026, 12, 5)})
    )
    assert calendar.is_working_day(date(2026, 12, 5))  # a Saturday made a working day
    assert not calendar.is_working_day(date(2026, 12, 7))  # a Monday given off
    # Friday 4 Dec + 2 working days: Saturday 5 counts, Sunday 6 and Monday 7 do not.
    assert calendar.add_working_days(local(2026, 12, 4), 2).astimezone(VN_TZ).date() == date(
        2026, 12, 8
    )


def test_vietnam_cultural_day_is_a_holiday_from_2026() -> None:
    assert not CALENDAR.is_working_day(date(2026, 11, 24))


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_adding_then_counting_working_days_agree(start_day: date, days: int) -> None:
    start = datetime.combine(start_day, datetime.min.time(), VN_TZ) + timedelta(hours=9)
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.working_days_between(start, due) == days
    assert days == 0 or CALENDAR.is_working_day(due.astimezone(VN_TZ).date())
