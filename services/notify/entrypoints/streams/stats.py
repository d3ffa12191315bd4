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

from faust.types import TableT

from services.notify.application.ports import StatsStore
from services.notify.domain.stats import MEASURES


def fact(dossier_id: str, measure: str, row: dict[str, Any]) -> bytes:
    return json.dumps({"dossier_id": dossier_id, "measure": measure}).encode()


async def count(
    seen: TableT[str, Any], table: TableT[str, Any], mirror: StatsStore, key: str, value: bytes
) -> None:
    record = json.loads(value)
    marker = f"{record['dossier_id']}:{record['measure']}"
    if seen.get(marker):
        return
    row = dict(table.get(key) or dict.fromkeys(MEASURES, 0))
    row[record["measure"]] = row.get(record["measure"], 0) + 1
    table[key] = row
    seen[marker] = True
    await mirror.save(key, row)  # absolute values: a repeated write is harmless
