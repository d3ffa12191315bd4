"""Public statistics per agency and procedure (the portal's statistics page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from psycopg import sql

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])


def row(doc: dict[str, Any]) -> dict[str, Any]:
    on_time, late = int(doc.get("on_time", 0)), int(doc.get("late", 0))
    done = on_time + late
    return {
        "agency_code": doc["agency_code"],
        "procedure_code": doc["procedure_code"],
        "received": int(doc.get("received", 0)),
        "completed_on_time": on_time,
        "completed_late": late,
        "on_time_ratio": round(on_time / done, 4) if done else None,
    }


@router.get("")
async def statistics(
    request: Request,
    agency_code: Annotated[str | None, Query(max_length=64)] = None,
    procedure_code: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    conditions, params = [], []
    for column, value in (("agency_code", agency_code), ("procedure_code", procedure_code)):
        if value:
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
    query = sql.SQL(
        "SELECT agency_code, procedure_code, received, on_time, late FROM stats{} ORDER BY key"
    ).format(where)
    async with request.app.state.pool.connection() as conn:
        cur = await conn.execute(query, params)
        items = [row(d) for d in await cur.fetchall()]
    totals = row(
        {
            "agency_code": "*",
            "procedure_code": "*",
            **{
                k: sum(i[f] for i in items)
                for k, f in (
                    ("received", "received"),
                    ("on_time", "completed_on_time"),
                    ("late", "completed_late"),
                )
            },
        }
    )
    return {"items": items, "total": totals}
