"""People read moments in Vietnam's time, day first; the stored moment is UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from shared.vn.time import (
    VN_TZ,
    format_date,
    format_datetime,
    format_time_on_date,
    to_local,
    utc_now,
)

MOMENT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
SINCE_1975 = st.datetimes(
    min_value=datetime(1976, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def test_a_utc_moment_is_shown_seven_hours_later_day_first() -> None:
    assert format_date(MOMENT) == "26/11/2026"
    assert format_datetime(MOMENT) == "26/11/2026 10:00"
    assert format_time_on_date(MOMENT) == "10:00 ngày 26/11/2026"


def test_late_evening_utc_is_already_the_next_day_here() -> None:
    assert format_datetime(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "01/01/2027 00:30"


def test_the_same_moment_in_any_offset_reads_the_same() -> None:
    paris = MOMENT.astimezone(timezone(timedelta(hours=1)))
    assert format_time_on_date(paris) == format_time_on_date(MOMENT)


def test_now_is_an_aware_utc_moment() -> None:
    before = datetime.now(UTC)
    now = utc_now()
    assert now.tzinfo is UTC and before <= now <= datetime.now(UTC)


@given(SINCE_1975)
def test_local_time_is_utc_plus_seven_without_daylight_saving(moment: datetime) -> None:
    local = to_local(moment)
    assert local == moment and local.tzinfo is VN_TZ
    assert local.replace(tzinfo=None) - moment.replace(tzinfo=None) == timedelta(hours=7)


@given(SINCE_1975)
def test_a_shown_moment_parses_back_to_the_minute(moment: datetime) -> None:
    shown = datetime.strptime(format_datetime(moment), "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)
    assert shown == moment.replace(second=0, microsecond=0)
    assert format_date(moment) == format_datetime(moment)[:10]
