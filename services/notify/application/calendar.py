"""The working-day calendar's overrides from catalog's ``calendar_updated`` events.

Kept in notify's own MongoDB (one document per year, version-guarded), read once
per reminder tick: a handful of documents, never the dossier store.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned
from shared.workdays import WorkCalendar


class CalendarOverrides:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db

    async def __call__(self, event: IntegrationEvent) -> None:
        if event.type != "vn.motcua.catalog.calendar_updated":
            return
        data = event.data
        await apply_versioned(self.db.calendar, event.subject, event.sequence, {
            "year": data.get("year"), "days_off": data.get("days_off") or [],
            "working_days": data.get("working_days") or []})

    async def calendar(self) -> WorkCalendar:
        days_off: set[date] = set()
        working: set[date] = set()
        async for doc in self.db.calendar.find({}):
            days_off.update(date.fromisoformat(d) for d in doc.get("days_off") or [])
            working.update(date.fromisoformat(d) for d in doc.get("working_days") or [])
        return WorkCalendar(frozenset(days_off), frozenset(working))
