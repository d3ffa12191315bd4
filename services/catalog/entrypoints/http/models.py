"""What only the routes put together: lists with their count, and a draft with its mode.
Everything else they answer is a use case's value (application/views.py)."""

from __future__ import annotations

from pydantic import BaseModel

from services.catalog.application.views import AgencyView, CodeName, Mode
from services.catalog.domain.model import ProcedureFields


class AgencyList(BaseModel):
    items: list[AgencyView]
    total: int


class FieldList(BaseModel):
    items: list[CodeName]
    total: int


class DraftView(ProcedureFields):
    mode: Mode
