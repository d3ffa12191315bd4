"""The working-day calendar's overrides from catalog's ``calendar_updated`` events, kept in
a service's own schema (table ``calendar_overrides``, one row per year, version-guarded),
for the asyncio services that count working days (notify's reminders, payment's
deadlines). Read when needed: a handful of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def overrides_of(event: IntegrationEvent) -> dict[str, Any] | None:
    """The row's values from a ``calendar_updated`` event (None for any other event)."""
    if event.type != CALENDAR_UPDATED:
        return None
    data = event.data
    return {
        "year": data.get("year"),
        "days_off": data.get("days_off") or [],
        "working_days": data.get("working_days") or [],
    }


def jsonb_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with lists and dicts as jsonb parameters (psycopg sends lists as arrays)."""
    return {k: Jsonb(v) if isinstance(v, list | dict) else v for k, v in values.items()}


class CalendarOverrides:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def __call__(self, event: IntegrationEvent) -> None:
        values = overrides_of(event)
        if values is None:
            return
        async with self.pool.connection() as conn:
            await upsert_versioned(
                conn, TABLE, "id", event.subject, event.sequence, jsonb_values(values)
            )

    async def calendar(self) -> WorkCalendar:
        async with self.pool.connection() as conn:
            cur = await conn.execute(f"SELECT year, days_off, working_days FROM {TABLE}")
            return calendar_from(await cur.fetchall())
