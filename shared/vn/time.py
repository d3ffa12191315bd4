"""Moments as people here read them: in Asia/Ho_Chi_Minh (no daylight saving time since
1975), day first. Stored and sent moments stay in UTC; only what people read is local."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ)


def format_date(moment: datetime) -> str:
    """«26/11/2026»."""
    return f"{to_local(moment):%d/%m/%Y}"


def format_datetime(moment: datetime) -> str:
    """«26/11/2026 10:00»: a date with its time, as tables and papers show it."""
    return f"{to_local(moment):%d/%m/%Y %H:%M}"


def format_time_on_date(moment: datetime) -> str:
    """«10:00 ngày 26/11/2026»: a time in a sentence (emails, notices, receipts)."""
    return f"{to_local(moment):%H:%M ngày %d/%m/%Y}"
