"""Statistics per agency and procedure as faust tables, mirrored into PostgreSQL for the API.

The dossier agent sends one ``measure`` record per fact (received, on_time, late)
to an internal topic keyed ``<agency>|<procedure>``, which re-partitions by that
key; the stats agent counts into the ``stats`` table once per (dossier, measure)
(the ``stats_seen`` table makes a redelivered fact count once) and writes the
row's absolute values to the ``stats`` table (one upsert), which ``GET /api/v1/stats`` reads.
"""

from __future__ import annotations

import json
from typing import Any

import faust
from psycopg_pool import AsyncConnectionPool

from services.notify.domain.stats import MEASURES


def fact(dossier_id: str, measure: str, row: dict[str, Any]) -> bytes:
    return json.dumps({"dossier_id": dossier_id, "measure": measure}).encode()


UPSERT = """
INSERT INTO stats (key, agency_code, procedure_code, received, on_time, late, updated_at)
VALUES (%(key)s, %(agency)s, %(procedure)s, %(received)s, %(on_time)s, %(late)s, now())
ON CONFLICT (key) DO UPDATE SET received = EXCLUDED.received, on_time = EXCLUDED.on_time,
    late = EXCLUDED.late, updated_at = EXCLUDED.updated_at
"""


async def count(
    seen: faust.Table, table: faust.Table, pool: AsyncConnectionPool[Any], key: str, value: bytes
) -> None:
    record = json.loads(value)
    marker = f"{record['dossier_id']}:{record['measure']}"
    if seen.get(marker):
        return
    row = dict(table.get(key) or dict.fromkeys(MEASURES, 0))
    row[record["measure"]] = row.get(record["measure"], 0) + 1
    table[key] = row
    seen[marker] = True
    agency, procedure = key.split("|", 1)
    async with pool.connection() as conn:  # absolute values: a repeated write is harmless
        await conn.execute(
            UPSERT,
            {
                "key": key,
                "agency": agency,
                "procedure": procedure,
                **{m: int(row.get(m, 0)) for m in MEASURES},
            },
        )
