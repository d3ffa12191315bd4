"""The working-day calendar's overrides from catalog's ``calendar_updated`` events, kept in
a service's own schema (table ``calendar_overrides``, one row per year, version-guarded),
for the asyncio services that count working days (notify's reminders, payment's
deadlines). Read when needed: a handful of rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.dialects.postgresql import JSONB

from shared.events.envelope import IntegrationEvent
from shared.pg.effects import upsert_versioned
from shared.workdays import WorkCalendar, calendar_from

CALENDAR_UPDATED = "vn.motcua.catalog.calendar_updated"
TABLE = "calendar_overrides"


def _columns() -> list[Any]:
    return [
        sa.Column("id", sa.Text, primary_key=True),  # the event's subject (one per year)
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("days_off", JSONB, nullable=False),
        sa.Column("working_days", JSONB, nullable=False),
    ]


def add_calendar_table(metadata: sa.MetaData) -> None:
    sa.Table(TABLE, metadata, *_columns())


def create_calendar_table(op: Any) -> None:
    op.create_table(TABLE, *_columns())


class CalendarOverrides:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def __call__(self, event: IntegrationEvent) -> None:
        if event.type != CALENDAR_UPDATED:
            return
        data = event.data
        async with self.pool.connection() as conn:
            await upsert_versioned(
                conn,
                TABLE,
                "id",
                event.subject,
                event.sequence,
                {
                    "year": data.get("year"),
                    "days_off": Jsonb(data.get("days_off") or []),
                    "working_days": Jsonb(data.get("working_days") or []),
                },
            )

    async def calendar(self) -> WorkCalendar:
        async with self.pool.connection() as conn:
            cur = await conn.execute(f"SELECT year, days_off, working_days FROM {TABLE}")
            return calendar_from(await cur.fetchall())
