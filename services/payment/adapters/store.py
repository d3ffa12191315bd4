"""Payment's PostgreSQL store: migrated at start-up, then one async pool per process,
and the read model of orders it keeps (written by the projection, read by the API and
the expiry sweep).

Every query filters and sorts on real columns with an index per access path
(adapters/tables.py); the order's view is JSONB, read whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from services.payment.adapters.tables import metadata
from services.payment.application.payments import PaymentApplication
from services.payment.domain.errors import BadCursorError
from services.payment.migrations import MIGRATIONS_DIR
from services.payment.settings import PaymentSettings
from shared.pagination import CursorError, decode_cursor, encode_cursor
from shared.pg.effects import upsert_versioned_sql
from shared.pg.migrate import migrate, under_schema_lock
from shared.pg.pools import open_async_pool

ORDER_COLUMNS = [
    "payer_id",
    "agency_code",
    "dossier_id",
    "status",
    "refund_due",
    "created_at",
    "view",
]


async def open_store(settings: PaymentSettings, name: str) -> AsyncConnectionPool[Any]:
    """Migrate payment's schema to head, then open the process's pool on it."""
    dsn, schema = settings.require("postgres_dsn"), settings.pg_schema()
    await asyncio.to_thread(migrate, dsn, schema, MIGRATIONS_DIR, metadata)
    return await open_async_pool(dsn, schema, name=name)


async def build_payments(settings: PaymentSettings) -> PaymentApplication:
    """The event-sourced application on payment's schema, built under the schema's lock
    (the library creates its own tables, which races when the API and the worker start
    together)."""
    dsn, schema = settings.require("postgres_dsn"), settings.pg_schema()
    return await asyncio.to_thread(
        under_schema_lock, dsn, schema, lambda: PaymentApplication(env=settings.eventstore_env())
    )


async def ping(pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")


def _row(view: dict[str, Any]) -> list[Any]:
    """(id, version, *ORDER_COLUMNS) of one order's view, for the versioned upsert."""
    return [
        view["id"],
        view["version"],
        view["payer_id"],
        view["agency_code"],
        view["dossier_id"],
        view["status"],
        int(view["refund_due"] or 0),
        datetime.fromisoformat(view["created_at"]),
        Jsonb(view),
    ]


async def save_views(conn: psycopg.AsyncConnection[Any], views: Iterable[dict[str, Any]]) -> None:
    """Write each order's current view unless its row is as new already (one pipeline)."""
    rows = [_row(v) for v in views]
    if rows:
        async with conn.cursor() as cur:
            await cur.executemany(upsert_versioned_sql("orders", "id", ORDER_COLUMNS), rows)


async def locked_position(conn: psycopg.AsyncConnection[Any], name: str) -> int:
    """The projection's position, its row locked until the caller's transaction ends (so
    two projectors never apply the same batch at once)."""
    await conn.execute(
        "INSERT INTO projection_positions (name, notification_id)"
        " VALUES (%s, 0) ON CONFLICT DO NOTHING",
        (name,),
    )
    cur = await conn.execute(
        "SELECT notification_id FROM projection_positions WHERE name = %s FOR UPDATE", (name,)
    )
    row = await cur.fetchone()
    return int(row["notification_id"]) if row else 0


async def set_position(conn: psycopg.AsyncConnection[Any], name: str, position: int) -> None:
    await conn.execute(
        "UPDATE projection_positions SET notification_id = %s WHERE name = %s", (position, name)
    )


def _cursor_of(view: dict[str, Any]) -> str:
    """Where the next page starts: after this order (created_at, id)."""
    return encode_cursor(datetime.fromisoformat(view["created_at"]), view["id"])


class StoredOrders:
    """The read model as the API and the expiry sweep read it (``ports.OrderViews``,
    ``ports.PendingOrders``)."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def page(
        self,
        *,
        payer_id: str | None,
        agency_code: str | None,
        dossier_id: str | None = None,
        status: str | None = None,
        refund_due: bool = False,
        after: str | None = None,
        limit: int = 50,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One payer's or one agency's orders (exactly one of the two is given), newest
        first, from the cursor ``after`` on (keyset: a deep page costs what the first does);
        the page and the cursor of the next one (None on the last page)."""
        try:
            start = decode_cursor(after) if after else None
        except CursorError:
            raise BadCursorError from None
        owner = ("payer_id", payer_id) if payer_id is not None else ("agency_code", agency_code)
        filters: list[sql.Composable] = [sql.SQL("{} = %s").format(sql.Identifier(owner[0]))]
        params: list[Any] = [owner[1]]
        for column, value in (("dossier_id", dossier_id), ("status", status)):
            if value:
                filters.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        if refund_due:
            filters.append(sql.SQL("refund_due > 0"))
        if start is not None:
            filters.append(sql.SQL("(created_at, id) < (%s, %s)"))
            params.extend(start)
        query = sql.SQL(
            "SELECT view FROM orders WHERE {} ORDER BY created_at DESC, id DESC LIMIT %s"
        ).format(sql.SQL(" AND ").join(filters))
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, [*params, limit + 1])
            views = [row["view"] for row in await cur.fetchall()]
        more = len(views) > limit
        return views[:limit], _cursor_of(views[limit - 1]) if more else None

    async def pending_opened_before(self, cutoff: datetime) -> list[str]:
        """Ids of unpaid orders opened at or before ``cutoff``, oldest first (expiry sweep)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id FROM orders WHERE status = 'pending' AND created_at <= %s"
                " ORDER BY created_at",
                (cutoff,),
            )
            return [row["id"] for row in await cur.fetchall()]

    async def owing_refund(self) -> list[str]:
        """Ids of orders holding charges still owed back, oldest first (partial index
        ``orders_owing_refund``: few rows, read by the late-charge sweep)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id FROM orders WHERE refund_due > 0 ORDER BY created_at"
            )
            return [row["id"] for row in await cur.fetchall()]
