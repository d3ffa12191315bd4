"""The working-day calendar: public reads and the portal's date helper; admin overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.catalog.application.views import CalendarYear, DueDate
from services.catalog.entrypoints.http.deps import PREFIX, AdminActor, CatalogDep

router = APIRouter(prefix=f"{PREFIX}/calendar", tags=["calendar"])
MAX_WORKING_DAYS = 1000
Year = Annotated[int, Path(ge=2000, le=2100)]


class Overrides(BaseModel):
    days_off: list[date] = Field(default_factory=list, max_length=366)
    working_days: list[date] = Field(default_factory=list, max_length=366)
    reason: str = Field(min_length=3, max_length=1000)


class AddWorkingDays(BaseModel):
    start: datetime
    # bounded: a time limit is at most 365 working days, and the count walks day by day;
    # strict, so `false` is not 0 (schemathesis: a boolean was accepted)
    days: int = Field(strict=True, ge=0, le=MAX_WORKING_DAYS)


@router.get("/{year:int}")  # :int, so "/add-working-days" is no year
async def get_year(catalog: CatalogDep, year: Year) -> CalendarYear:
    return await catalog.calendar.year(year)


@router.put("/{year:int}")
async def put_year(
    catalog: CatalogDep, actor: AdminActor, year: Year, body: Overrides
) -> CalendarYear:
    return await catalog.calendar.set_overrides(
        year, body.days_off, body.working_days, actor, body.reason
    )


@router.post("/add-working-days")
async def add_working_days(catalog: CatalogDep, body: AddWorkingDays) -> DueDate:
    return await catalog.calendar.add_working_days(body.start, body.days)
