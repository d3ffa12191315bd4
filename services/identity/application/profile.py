"""The personal page: read and update one's own profile (organisation data included)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.identity.application.context import Identity
from services.identity.application.ports import Change
from services.identity.application.registration import organisation_profile
from services.identity.domain.accounts import Kind, account_actor, public_profile
from services.identity.domain.errors import (
    AccountNotFoundError,
    ConcurrentChangeError,
    InvalidFieldError,
)
from services.identity.domain.validation import (
    check_birth_date,
    check_name,
    check_national_id,
    check_phone,
)


async def get_profile(ctx: Identity, account_id: str) -> dict[str, Any]:
    account = await ctx.store.by_id(account_id)
    if account is None:
        raise AccountNotFoundError()
    return public_profile(account)


def _changes(ctx: Identity, account: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    profile = account.get("profile", {})
    out: dict[str, Any] = {}
    if patch.get("full_name") is not None:
        out["full_name"] = check_name("full_name", patch["full_name"])
    if patch.get("phone") is not None:
        out["phone"] = check_phone(patch["phone"])
    if patch.get("address") is not None:
        out["address"] = check_name("address", patch["address"], 500)
    birth: date | None = patch.get("date_of_birth")
    if birth is not None:
        out["date_of_birth"] = check_birth_date(birth, ctx.clock().date()).isoformat()
    birth_text = out.get("date_of_birth", profile.get("date_of_birth"))
    if patch.get("national_id") is not None or (
        "date_of_birth" in out and profile.get("national_id")
    ):
        number = patch.get("national_id") or profile["national_id"]
        out["national_id"] = check_national_id(
            number, date.fromisoformat(birth_text) if birth_text else None
        )
    if patch.get("organisation") is not None:
        if account["kind"] != Kind.ORGANISATION:
            raise InvalidFieldError("organisation", "not_an_organisation")
        out["organisation"] = organisation_profile(
            {**profile.get("organisation", {}), **patch["organisation"]}
        )
    return {k: v for k, v in out.items() if profile.get(k) != v}


async def update_profile(ctx: Identity, account_id: str, patch: dict[str, Any]) -> dict[str, Any]:
    account = await ctx.store.by_id(account_id)
    if account is None:
        raise AccountNotFoundError()
    changed = _changes(ctx, account, patch)
    if changed:
        done = await ctx.store.update(
            account,
            [Change("profile_updated", {"account_id": account_id, **changed})],
            account_actor(account),
            ctx.clock(),
            set_={f"profile.{k}": v for k, v in changed.items()},
        )
        if not done:
            raise ConcurrentChangeError()
    return await get_profile(ctx, account_id)
