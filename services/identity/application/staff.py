"""Officer, auditor and admin accounts, created by an admin (or by the demo seed).

Policy: a system admin creates any staff account; an officer with the
``agency_admin`` role creates officers of their own agency only.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.identity.application.context import Identity
from services.identity.application.ports import Change
from services.identity.application.sessions import revoke_sessions
from services.identity.domain.accounts import OFFICER_ROLES, STAFF, Kind, Status
from services.identity.domain.errors import (
    AccountNotFoundError,
    ConcurrentChangeError,
    InvalidFieldError,
    NotAllowedError,
)
from services.identity.domain.validation import check_name, normalise_email
from shared.events.envelope import Actor

AGENCY_CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")


@dataclass(frozen=True)
class StaffAccount:
    kind: str
    email: str
    full_name: str
    password: str
    agency_code: str | None = None
    officer_roles: tuple[str, ...] = field(default_factory=tuple)


def may_create(actor: Actor, new: StaffAccount) -> bool:
    if actor.role in ("admin", "system"):
        return True
    return (
        actor.role == Kind.OFFICER
        and "agency_admin" in actor.officer_roles
        and new.kind == Kind.OFFICER
        and new.agency_code == actor.agency
    )


def _check(new: StaffAccount) -> tuple[str | None, list[str]]:
    if new.kind not in STAFF:
        raise InvalidFieldError("kind", "not_a_staff_kind")
    if new.kind != Kind.OFFICER:
        if new.agency_code or new.officer_roles:
            raise InvalidFieldError("agency_code", "only_for_officers")
        return None, []
    code = (new.agency_code or "").strip().upper()
    if not code or not set(code) <= AGENCY_CODE_CHARS or len(code) > 40:
        raise InvalidFieldError("agency_code", "invalid_agency_code")
    roles = sorted(set(new.officer_roles))
    if not roles or not set(roles) <= OFFICER_ROLES:
        raise InvalidFieldError("officer_roles", "invalid_officer_roles")
    return code, roles


async def create_staff(ctx: Identity, actor: Actor, new: StaffAccount) -> str:
    if not may_create(actor, new):
        raise NotAllowedError()
    agency, roles = _check(new)
    email, email_key = normalise_email(new.email)
    full_name = check_name("full_name", new.full_name)
    password = ctx.policy.check(new.password, [email_key.split("@")[0], email_key])
    now = ctx.clock()
    account: dict[str, Any] = {
        "_id": str(uuid.uuid4()),
        "kind": new.kind,
        "email": email,
        "email_key": email_key,
        "status": Status.ACTIVE.value,
        "profile": {"full_name": full_name},
        "password_hash": ctx.hasher.hash(password),
        "created_at": now,
        "activated_at": now,
        "documents": [],
        "link_sends": [],
        **({"agency_code": agency, "officer_roles": roles} if agency else {}),
    }
    registered = Change(
        "account_registered",
        {
            "account_id": account["_id"],
            "kind": new.kind,
            "email": email,
            "full_name": full_name,
            **({"agency_code": agency, "officer_roles": roles} if agency else {}),
        },
    )
    activated = Change("account_activated", {"account_id": account["_id"]})
    await ctx.store.insert(account, [registered, activated], actor, now)
    return str(account["_id"])


def may_manage(actor: Actor, account: dict[str, Any]) -> bool:
    """Who may disable or re-enable an account: a system admin any account but their own;
    an agency admin the officers of their own agency."""
    if account["_id"] == actor.id:
        return False
    if actor.role in ("admin", "system"):
        return True
    return (
        actor.role == Kind.OFFICER
        and "agency_admin" in actor.officer_roles
        and account.get("kind") == Kind.OFFICER
        and account.get("agency_code") == actor.agency
    )


async def set_enabled(
    ctx: Identity, actor: Actor, account_id: str, enabled: bool, reason: str
) -> str:
    """Disable an account (its sessions end, it can no longer log in) or enable it again;
    the event records who and why. Returns the account's status afterwards."""
    if actor.role not in ("admin", "system") and "agency_admin" not in actor.officer_roles:
        raise NotAllowedError()
    account = await ctx.store.by_id(account_id)
    foreign = actor.role not in ("admin", "system") and (
        account is None or account.get("agency_code") != actor.agency
    )
    if account is None or foreign:
        raise AccountNotFoundError()  # an agency admin does not learn of other agencies' staff
    if not may_manage(actor, account):
        raise NotAllowedError()
    why = check_reason(reason)
    disabled = account["status"] == Status.DISABLED.value
    if disabled != enabled:
        return str(account["status"])  # already as asked: nothing happens, nothing recorded
    now = ctx.clock()
    if enabled:
        status = Status.ACTIVE if account.get("activated_at") else Status.PENDING
        change = Change("account_enabled", {"account_id": account_id, "reason": why})
    else:
        status = Status.DISABLED
        change = Change("account_disabled", {"account_id": account_id, "reason": why})
    if not await ctx.store.update(account, [change], actor, now, set_={"status": status.value}):
        raise ConcurrentChangeError()
    if not enabled:
        await revoke_sessions(ctx, now, account_id=account_id)
    return status.value


def check_reason(reason: str) -> str:
    why = unicodedata.normalize("NFC", reason).strip()
    if not 3 <= len(why) <= 500:
        raise InvalidFieldError("reason", "invalid_reason")
    return why
