"""The working-day calendar: the base from the holidays package, admin overrides per year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.catalog.application.common import Clock
from services.catalog.application.ports import RecordRepository
from services.catalog.application.views import CalendarYear, DueDate
from services.catalog.domain import events
from services.catalog.domain.calendar import YearOverrides, check_year, work_calendar, year_view
from services.catalog.domain.errors import ConflictError, InvalidCalendarError
from shared.events.envelope import Actor
from shared.vn.time import VN_TZ, utc_now

MAX_DAYS = 3650


def _overrides(doc: dict[str, Any] | None, year: int) -> YearOverrides:
    if doc is None:
        return YearOverrides(year)
    return YearOverrides(
        year,
        frozenset(date.fromisoformat(d) for d in doc["days_off"]),
        frozenset(date.fromisoformat(d) for d in doc["working_days"]),
    )


class Calendar:
    def __init__(self, store: RecordRepository, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    async def year(self, year: int) -> CalendarYear:
        check_year(year)
        overrides = _overrides(await self.store.get(f"calendar-{year}"), year)
        return CalendarYear.model_validate(year_view(overrides))

    async def set_overrides(
        self, year: int, days_off: list[date], working_days: list[date], actor: Actor, reason: str
    ) -> CalendarYear:
        """Replace the year's overrides with the ones the government announced."""
        overrides = YearOverrides.parse(year, days_off, working_days)
        return await self._save(f"calendar-{year}", overrides, actor, reason)

    async def _save(
        self, key: str, overrides: YearOverrides, actor: Actor, reason: str
    ) -> CalendarYear:
        year = overrides.year
        existing = await self.store.get(key)
        seq = existing["seq"] if existing else 0
        off = sorted(d.isoformat() for d in overrides.days_off)
        work = sorted(d.isoformat() for d in overrides.working_days)
        now = self.clock()
        event = events.calendar_updated(year, off, work, reason, seq + 1, actor, now)
        fields = {
            "year": year,
            "days_off": off,
            "working_days": work,
            "reason": reason,
            "updated_by": actor.id,
        }
        if not await self.store.save(key, seq, fields, event, now):
            raise ConflictError("Lịch làm việc vừa được người khác cập nhật, vui lòng thử lại.")
        return CalendarYear.model_validate(year_view(overrides))

    async def add_working_days(self, start: datetime, days: int) -> DueDate:
        if start.tzinfo is None:
            raise InvalidCalendarError("Thời điểm bắt đầu phải kèm múi giờ (ví dụ +07:00).")
        if not 0 <= days <= MAX_DAYS:
            raise InvalidCalendarError(f"Số ngày làm việc phải từ 0 đến {MAX_DAYS}.")
        # the calendar's years only: before them Vietnam's zone is local mean time
        # (+07:06:30), which no date-time of an answer can carry
        check_year(start.astimezone(VN_TZ).year)
        docs = await self.store.list({})
        calendar = work_calendar([_overrides(d, d["year"]) for d in docs])
        due = calendar.add_working_days(start, days)
        return DueDate(
            start=start.astimezone(UTC), days=days, due=due, due_local=due.astimezone(VN_TZ)
        )
