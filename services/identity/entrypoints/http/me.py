"""/me: the personal page (profile, password) and /.well-known/jwks.json."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.identity.application import passwords, profile
from services.identity.entrypoints.http.auth import OrganisationIn
from services.identity.entrypoints.http.deps import Ctx
from services.identity.entrypoints.http.models import Jwks, Profile
from shared.http.actor import CurrentActor, CurrentClaims

router = APIRouter(tags=["me"])


class ProfilePatch(BaseModel):
    full_name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    national_id: str | None = Field(None, max_length=20)
    date_of_birth: date | None = None
    address: str | None = Field(None, max_length=500)
    organisation: OrganisationIn | None = None


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


@router.get("/api/v1/me", response_model_exclude_unset=True)
async def me(actor: CurrentActor, ctx: Ctx) -> Profile:
    return Profile.model_validate(await profile.get_profile(ctx, actor.id))


@router.patch("/api/v1/me", response_model_exclude_unset=True)
async def patch_me(body: ProfilePatch, actor: CurrentActor, ctx: Ctx) -> Profile:
    patch = body.model_dump(exclude_unset=True)
    if body.organisation is not None:
        patch["organisation"] = body.organisation.model_dump()
    return Profile.model_validate(await profile.update_profile(ctx, actor.id, patch))


@router.post("/api/v1/me/password", status_code=204, response_model=None)
async def change_password(body: PasswordChange, caller: CurrentClaims, ctx: Ctx) -> Response:
    # the caller's own session is kept when the others are revoked
    await passwords.change_password(
        ctx, caller.subject, body.current_password, body.new_password, caller.session_id
    )
    return Response(status_code=204)


@router.get("/.well-known/jwks.json")
@router.get("/api/v1/.well-known/jwks.json")
async def jwks(ctx: Ctx, response: Response) -> Jwks:
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks.model_validate(ctx.issuer.jwks())
