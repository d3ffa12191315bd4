"""Public statistics per agency and procedure over HTTP (``app.state.statistics``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.notify.application.stats import Statistics, StatsReport

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])


@router.get("")
async def statistics(
    request: Request,
    agency_code: Annotated[str | None, Query(max_length=64)] = None,
    procedure_code: Annotated[str | None, Query(max_length=64)] = None,
) -> StatsReport:
    report: Statistics = request.app.state.statistics
    return await report.report(agency_code, procedure_code)
