"""The working-day calendar's overrides from catalog's ``calendar_updated`` events, for
an asyncio service that consumes them (notify's reminders, payment's deadlines).

Kept in the service's own MongoDB (one document per year, version-guarded), read when
needed: a handful of documents.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned
from shared.workdays import WorkCalendar, calendar_from

CALENDAR_UPDATED = "vn.motcua.catalog.calendar_updated"


class CalendarOverrides:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db

    async def __call__(self, event: IntegrationEvent) -> None:
        if event.type != CALENDAR_UPDATED:
            return
        data = event.data
        await apply_versioned(self.db.calendar, event.subject, event.sequence, {
            "year": data.get("year"), "days_off": data.get("days_off") or [],
            "working_days": data.get("working_days") or []})

    async def calendar(self) -> WorkCalendar:
        return calendar_from(await self.db.calendar.find({}).to_list(None))
