"""Officer, auditor and admin accounts, created by an admin (or by the demo seed).

Policy: a system admin creates any staff account; an officer with the
``agency_admin`` role creates officers of their own agency only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from services.identity.adapters.store import Change
from services.identity.application.context import Identity
from services.identity.domain.accounts import OFFICER_ROLES, STAFF, Kind, Status
from services.identity.domain.errors import InvalidFieldError, NotAllowedError
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
        actor.role == Kind.OFFICER and "agency_admin" in actor.officer_roles
        and new.kind == Kind.OFFICER and new.agency_code == actor.agency
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
        "_id": str(uuid.uuid4()), "kind": new.kind, "email": email, "email_key": email_key,
        "status": Status.ACTIVE.value, "profile": {"full_name": full_name},
        "password_hash": ctx.hasher.hash(password), "created_at": now, "activated_at": now,
        "documents": [], "link_sends": [],
        **({"agency_code": agency, "officer_roles": roles} if agency else {}),
    }
    registered = Change("account_registered", {
        "account_id": account["_id"], "kind": new.kind, "email": email, "full_name": full_name,
        **({"agency_code": agency, "officer_roles": roles} if agency else {}),
    })
    activated = Change("account_activated", {"account_id": account["_id"]})
    await ctx.store.insert(account, [registered, activated], actor, now)
    return str(account["_id"])
