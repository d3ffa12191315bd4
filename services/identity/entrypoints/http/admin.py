"""/admin/accounts: staff accounts created by an admin (or an agency admin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.identity.application import staff
from services.identity.entrypoints.http.deps import Ctx
from services.identity.entrypoints.http.models import AccountStatus, StaffCreated
from shared.http.actor import CurrentActor

router = APIRouter(prefix="/api/v1/admin/accounts", tags=["admin"])


class StaffIn(BaseModel):
    kind: Literal["officer", "auditor", "admin"]
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    agency_code: str | None = Field(None, max_length=40)
    officer_roles: list[str] = Field(default_factory=list, max_length=4)


@router.post("", status_code=201)
async def create(body: StaffIn, actor: CurrentActor, ctx: Ctx) -> StaffCreated:
    account_id = await staff.create_staff(
        ctx,
        actor,
        staff.StaffAccount(
            kind=body.kind,
            email=body.email,
            full_name=body.full_name,
            password=body.password,
            agency_code=body.agency_code,
            officer_roles=tuple(body.officer_roles),
        ),
    )
    return StaffCreated(id=account_id, kind=body.kind, status="active")


class StatusIn(BaseModel):
    reason: str = Field(max_length=1000)


@router.post("/{account_id}/disable")
async def disable(account_id: str, body: StatusIn, actor: CurrentActor, ctx: Ctx) -> AccountStatus:
    status = await staff.set_enabled(ctx, actor, account_id, False, body.reason)
    return AccountStatus(id=account_id, status=status)


@router.post("/{account_id}/enable")
async def enable(account_id: str, body: StatusIn, actor: CurrentActor, ctx: Ctx) -> AccountStatus:
    status = await staff.set_enabled(ctx, actor, account_id, True, body.reason)
    return AccountStatus(id=account_id, status=status)
