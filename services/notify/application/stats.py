"""Public statistics per agency and procedure (the portal's statistics page)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.notify.application.ports import Row, StatsStore


class StatsRow(BaseModel):
    agency_code: str = Field(description="``*`` in the total.")
    procedure_code: str = Field(description="``*`` in the total.")
    received: int
    completed_on_time: int
    completed_late: int
    on_time_ratio: float | None = Field(description="Of the completed ones; null before any.")


class StatsReport(BaseModel):
    items: list[StatsRow]
    total: StatsRow


def row(doc: Row) -> StatsRow:
    on_time, late = int(doc.get("on_time", 0)), int(doc.get("late", 0))
    done = on_time + late
    return StatsRow(
        agency_code=doc["agency_code"],
        procedure_code=doc["procedure_code"],
        received=int(doc.get("received", 0)),
        completed_on_time=on_time,
        completed_late=late,
        on_time_ratio=round(on_time / done, 4) if done else None,
    )


class Statistics:
    def __init__(self, store: StatsStore) -> None:
        self.store = store

    async def report(self, agency_code: str | None, procedure_code: str | None) -> StatsReport:
        items = [row(d) for d in await self.store.rows(agency_code, procedure_code)]
        totals = row(
            {
                "agency_code": "*",
                "procedure_code": "*",
                "received": sum(i.received for i in items),
                "on_time": sum(i.completed_on_time for i in items),
                "late": sum(i.completed_late for i in items),
            }
        )
        return StatsReport(items=items, total=totals)
