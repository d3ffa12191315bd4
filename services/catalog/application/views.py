"""What the catalogue's use cases answer: typed values the routes hand on as they are,
declared once here for the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.catalog.domain.model import GovernmentLevel, ProcedureFields, Tier
from shared.http.isotime import IsoDatetime

Mode = Literal["toan_trinh", "mot_phan"]


class CodeName(BaseModel):
    code: str
    name: str = Field(description="Empty when the code is no longer in the registry.")


class AgencyView(BaseModel):
    code: str
    name: str
    tier: Tier
    parent_code: str | None
    retired: bool
    address: str | None
    phone: str | None


class ProcedureCard(BaseModel):
    """A published procedure as the list and search show it."""

    code: str
    version: int
    name: str
    field_code: str
    service_level: int = Field(ge=1, le=4)
    mode: Mode
    agency_codes: list[str]
    government_level: GovernmentLevel
    time_limit_days: int = Field(description="Working days.")
    fee_total: int = Field(description="VND: the fixed fee lines together.")
    fee_counted: bool = Field(
        False, description="Some fee line is counted from the form (cards before fee rules: no)."
    )
    score: float | None = Field(None, description="Relevance, when the query has words.")


class ProcedurePage(BaseModel):
    items: list[ProcedureCard]
    total: int
    page: int
    page_size: int
    query: str


class ProcedureView(ProcedureFields):
    """A published version with its number, state and the names of its field and agencies."""

    version: int
    status: Literal["current", "superseded", "withdrawn"]
    latest_version: int
    published_at: IsoDatetime
    mode: Mode
    field: CodeName
    agencies: list[CodeName]


class DraftSaved(BaseModel):
    code: str
    draft_revision: int


class Published(BaseModel):
    code: str
    version: int
    published_at: IsoDatetime


class Withdrawn(BaseModel):
    code: str
    version: int
    status: Literal["withdrawn"]


class DayNamed(BaseModel):
    date: date
    name: str
    source: Literal["holiday", "override"] = Field(
        description="The holidays package's calendar, or an admin's override."
    )


class Overridden(BaseModel):
    days_off: list[date]
    working_days: list[date]


class CalendarYear(BaseModel):
    year: int
    days_off: list[DayNamed] = Field(description="Days off other than plain weekends.")
    working_days: list[DayNamed] = Field(description="Weekend days worked (make-up days).")
    overrides: Overridden = Field(description="The admins' overrides of the year.")


class DueDate(BaseModel):
    start: IsoDatetime
    days: int
    due: IsoDatetime
    due_local: IsoDatetime = Field(description="The same moment in Vietnam's time (+07:00).")
