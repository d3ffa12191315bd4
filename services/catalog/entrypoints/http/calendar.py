"""The working-day calendar: public reads and the portal's date helper; admin overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.catalog.entrypoints.http.deps import PREFIX, AdminActor, CatalogDep
from services.catalog.entrypoints.http.models import CalendarYear, DueDate

router = APIRouter(prefix=f"{PREFIX}/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=2000, le=2100)]


class Overrides(BaseModel):
    days_off: list[date] = Field(default_factory=list, max_length=366)
    working_days: list[date] = Field(default_factory=list, max_length=366)
    reason: str = Field(min_length=3, max_length=1000)


class AddWorkingDays(BaseModel):
    start: datetime
    days: int


@router.get("/{year}", response_model=CalendarYear)
async def get_year(catalog: CatalogDep, year: Year) -> dict[str, Any]:
    return await catalog.calendar.year(year)


@router.put("/{year}", response_model=CalendarYear)
async def put_year(
    catalog: CatalogDep, actor: AdminActor, year: Year, body: Overrides
) -> dict[str, Any]:
    return await catalog.calendar.set_overrides(
        year, body.days_off, body.working_days, actor, body.reason
    )


@router.post("/add-working-days", response_model=DueDate)
async def add_working_days(catalog: CatalogDep, body: AddWorkingDays) -> dict[str, Any]:
    return await catalog.calendar.add_working_days(body.start, body.days)
