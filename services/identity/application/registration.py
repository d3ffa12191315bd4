"""Register (citizen or organisation), activate by emailed link, resend the link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.identity.application.context import Identity
from services.identity.application.ports import Change
from services.identity.domain.accounts import Kind, Status, system_actor
from services.identity.domain.errors import (
    EmailTakenError,
    InvalidFieldError,
    InvalidLinkTokenError,
)
from services.identity.domain.tokens import new_token, token_hash
from services.identity.domain.validation import (
    check_birth_date,
    check_name,
    check_national_id,
    check_phone,
    check_tax_code,
    normalise_email,
)

ACTIVATION_PATH = "/kich-hoat"
LOGIN_PATH = "/dang-nhap"
FORGOT_PATH = "/quen-mat-khau"


@dataclass(frozen=True)
class Registration:
    kind: str
    email: str
    password: str
    full_name: str
    phone: str | None = None
    national_id: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    organisation: dict[str, str] | None = None


def citizen_profile(ctx: Identity, r: Registration) -> dict[str, Any]:
    today = ctx.clock().date()
    profile: dict[str, Any] = {"full_name": check_name("full_name", r.full_name)}
    if r.phone:
        profile["phone"] = check_phone(r.phone)
    birth = check_birth_date(r.date_of_birth, today) if r.date_of_birth else None
    if birth:
        profile["date_of_birth"] = birth.isoformat()
    if r.national_id:
        profile["national_id"] = check_national_id(r.national_id, birth)
    if r.address:
        profile["address"] = check_name("address", r.address, 500)
    return profile


def organisation_profile(raw: dict[str, str]) -> dict[str, str]:
    return {
        "tax_code": check_tax_code(raw.get("tax_code", "")),
        "name": check_name("organisation.name", raw.get("name", ""), 300),
        "address": check_name("organisation.address", raw.get("address", ""), 500),
        "representative": check_name("organisation.representative", raw.get("representative", "")),
    }


def activation_change(ctx: Identity, account: dict[str, Any]) -> tuple[Change, dict[str, Any]]:
    """A fresh activation token: the event (sealed link) and the stored hash."""
    token = new_token()
    expires = ctx.clock() + timedelta(hours=ctx.settings.activation_hours)
    sealed = ctx.sealer.seal(ctx.link(ACTIVATION_PATH, token), account["_id"])
    change = Change(
        "activation_requested",
        {
            "account_id": account["_id"],
            "email": account["email"],
            "full_name": account["profile"]["full_name"],
            "sealed_link": sealed,
            "expires_at": expires.isoformat(),
        },
    )
    return change, {"token_hash": token_hash(token), "expires_at": expires}


async def register(ctx: Identity, r: Registration) -> str:
    """The new account's id. A taken email gets the same answer (an id no account has)
    and its owner an email instead, so that registering reveals no accounts."""
    if r.kind not in (Kind.CITIZEN, Kind.ORGANISATION):
        raise InvalidFieldError("kind", "not_self_registrable")
    email, email_key = normalise_email(r.email)
    profile = citizen_profile(ctx, r)
    if r.kind == Kind.ORGANISATION:
        if not r.organisation:
            raise InvalidFieldError("organisation", "missing")
        profile["organisation"] = organisation_profile(r.organisation)
    context_words = [email_key.split("@")[0], email_key, profile.get("national_id", "")]
    password = ctx.policy.check(r.password, context_words)
    now = ctx.clock()
    account: dict[str, Any] = {
        "_id": str(uuid.uuid4()),
        "kind": str(r.kind),
        "email": email,
        "email_key": email_key,
        "status": Status.PENDING.value,
        "profile": profile,
        "created_at": now,
        "documents": [],
        "link_sends": [now],
    }
    activation, stored = activation_change(ctx, account)
    account["password_hash"] = ctx.hasher.hash(password)
    account["activation"] = stored
    registered = Change(
        "account_registered",
        {
            "account_id": account["_id"],
            "kind": account["kind"],
            "email": email,
            "full_name": profile["full_name"],
            **({"organisation": profile["organisation"]} if "organisation" in profile else {}),
        },
    )
    try:
        await ctx.store.insert(account, [registered, activation], system_actor(), now)
    except EmailTakenError:
        await _tell_owner(ctx, email_key)
    return str(account["_id"])


async def _tell_owner(ctx: Identity, email_key: str) -> None:
    """Email the owner of a taken address that someone tried to register it: a new
    activation link if the account still waits for one, else links to log in or reset
    the password; within the limits of emailed links."""
    account = await ctx.store.by_email_key(email_key)
    if account is None:
        return
    if account["status"] == Status.PENDING:
        await resend_activation(ctx, email_key)
        return
    allowed, sends = may_send_link(ctx, account)
    if not allowed:
        return
    portal = ctx.settings.portal_url.rstrip("/")
    change = Change(
        "registration_attempted",
        {
            "account_id": account["_id"],
            "email": account["email"],
            "full_name": account["profile"]["full_name"],
            "login_link": portal + LOGIN_PATH,
            "reset_link": portal + FORGOT_PATH,
        },
    )
    await ctx.store.update(
        account, [change], system_actor(), ctx.clock(), set_={"link_sends": sends}
    )


async def activate(ctx: Identity, token: str) -> str:
    now = ctx.clock()
    account = await ctx.store.by_token("activation", token_hash(token))
    if (
        account is None
        or account["status"] != Status.PENDING
        or account["activation"]["expires_at"] <= now
    ):
        raise InvalidLinkTokenError()
    done = await ctx.store.update(
        account,
        [Change("account_activated", {"account_id": account["_id"]})],
        system_actor(),
        now,
        set_={"status": Status.ACTIVE.value, "activated_at": now},
        unset=["activation"],
        guard={"activation.token_hash": token_hash(token)},
    )
    if not done:
        raise InvalidLinkTokenError()
    return str(account["_id"])


def may_send_link(ctx: Identity, account: dict[str, Any]) -> tuple[bool, list[Any]]:
    """Whether another activation/reset email may go out now, and the pruned send log."""
    now = ctx.clock()
    recent = [t for t in account.get("link_sends", []) if now - t < timedelta(days=1)]
    if len(recent) >= ctx.settings.link_sends_per_day:
        return False, recent
    if recent and (now - max(recent)).total_seconds() < ctx.settings.link_resend_seconds:
        return False, recent
    return True, [*recent, now]


async def resend_activation(ctx: Identity, email: str) -> None:
    """Send a new link if the account waits for activation and the limits allow;
    answer the same either way, so the endpoint reveals nothing."""
    _, email_key = normalise_email(email)
    account = await ctx.store.by_email_key(email_key)
    if account is None or account["status"] != Status.PENDING:
        return
    allowed, sends = may_send_link(ctx, account)
    if not allowed:
        return
    change, stored = activation_change(ctx, account)
    await ctx.store.update(
        account,
        [change],
        system_actor(),
        ctx.clock(),
        set_={"activation": stored, "link_sends": sends},
    )
