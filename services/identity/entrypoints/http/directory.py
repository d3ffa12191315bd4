"""/staff: the staff accounts of an agency (id, full name, duties, active), for the
officer console's assignee picker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.identity.application import directory
from services.identity.entrypoints.http.deps import Ctx
from services.identity.entrypoints.http.models import AgencyStaff
from shared.http.actor import CurrentActor

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.get("")
async def agency_staff(
    actor: CurrentActor,
    ctx: Ctx,
    agency_code: Annotated[str | None, Query(max_length=40)] = None,
) -> AgencyStaff:
    """Staff of ``agency_code`` (the caller's own agency when omitted), active first,
    by name. Officers of that agency and admins only."""
    return AgencyStaff.model_validate(await directory.agency_staff(ctx, actor, agency_code))
