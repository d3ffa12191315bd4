"""Agencies, fields and calendar overrides: small rows saved whole, each change one
guarded write (``seq``, the number of events so far) committed with its event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import sql

from services.catalog.adapters.pg import Doc, Pool, jsonb
from shared.events.envelope import IntegrationEvent
from shared.pg.outbox import record_events


def _value(value: Any) -> Any:
    return jsonb(value) if isinstance(value, list | dict) else value


class RecordStore:
    def __init__(self, pool: Pool, table: str, key: str = "code") -> None:
        self.pool = pool
        self.table = sql.Identifier(table)
        self.key = key

    async def _rows(self, query: sql.Composable, params: Any) -> list[Doc]:
        async with self.pool.connection() as conn:
            return await (await conn.execute(query, params)).fetchall()

    async def get(self, key: str) -> Doc | None:
        rows = await self._rows(
            sql.SQL("SELECT * FROM {} WHERE {} = %s").format(self.table, sql.Identifier(self.key)),
            (key,),
        )
        return rows[0] if rows else None

    async def get_many(self, keys: list[str]) -> list[Doc]:
        return await self._rows(
            sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s) ORDER BY {}").format(
                self.table, sql.Identifier(self.key), sql.Identifier(self.key)
            ),
            (keys,),
        )

    async def list(self, query: Doc) -> list[Doc]:
        """Rows whose columns equal ``query``'s values, by key."""
        where = [sql.SQL("{} = %s").format(sql.Identifier(c)) for c in query]
        return await self._rows(
            sql.SQL("SELECT * FROM {} WHERE {} ORDER BY {}").format(
                self.table,
                sql.SQL(" AND ").join(where) if where else sql.SQL("true"),
                sql.Identifier(self.key),
            ),
            list(query.values()),
        )

    async def save(
        self, key: str, seq: int, fields: Doc, event: IntegrationEvent, now: datetime
    ) -> bool:
        """Write ``fields`` as change number ``seq + 1``; False if someone else wrote first."""
        values = {
            **{k: v for k, v in fields.items() if k != self.key},
            "seq": seq + 1,
            "updated_at": now,
        }
        if seq == 0:
            names = [self.key, *values]
            statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
                self.table,
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            )
            params = [key, *map(_value, values.values())]
        else:
            statement = sql.SQL("UPDATE {} SET {} WHERE {} = %s AND seq = %s").format(
                self.table,
                sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values),
                sql.Identifier(self.key),
            )
            params = [*map(_value, values.values()), key, seq]
        async with self.pool.connection() as conn, conn.transaction():
            if (await conn.execute(statement, params)).rowcount != 1:
                return False
            await record_events(conn, [event])
        return True
