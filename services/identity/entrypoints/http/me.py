"""/me: the personal page (profile, password) and /.well-known/jwks.json."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from services.identity.application import passwords, profile
from services.identity.entrypoints.http.auth import OrganisationIn
from services.identity.entrypoints.http.deps import Ctx
from services.identity.entrypoints.http.models import Jwks, Profile
from shared.auth import TokenError, TokenVerifier
from shared.http.actor import CurrentActor

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


async def _session_of(request: Request) -> str | None:
    """The session of the caller's access token, to keep it when others are revoked."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return (await verifier.verify(token.strip())).session_id
    except TokenError:
        return None


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
async def change_password(
    body: PasswordChange, request: Request, actor: CurrentActor, ctx: Ctx
) -> Response:
    await passwords.change_password(
        ctx, actor.id, body.current_password, body.new_password, await _session_of(request)
    )
    return Response(status_code=204)


@router.get("/.well-known/jwks.json")
@router.get("/api/v1/.well-known/jwks.json")
async def jwks(ctx: Ctx, response: Response) -> Jwks:
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks.model_validate(ctx.issuer.jwks())
