"""The staff directory of an agency: who an officer may hand a dossier to.

Policy: an officer of the agency (any duty) and a system admin may read it;
nobody else (citizens, organisations, auditors, officers of other agencies).
"""

from __future__ import annotations

from typing import Any

from services.identity.application.context import Identity
from services.identity.application.staff import AGENCY_CODE_CHARS
from services.identity.domain.accounts import Kind, Status
from services.identity.domain.errors import InvalidFieldError, NotAllowedError
from shared.events.envelope import Actor


def may_read_staff(actor: Actor, agency_code: str) -> bool:
    if actor.role in ("admin", "system"):
        return True
    return actor.role == Kind.OFFICER and actor.agency == agency_code


def agency_of_request(actor: Actor, agency_code: str | None) -> str:
    """The agency asked for (an officer's own when none is given), checked."""
    code = (agency_code or actor.agency or "").strip().upper()
    if not code or not set(code) <= AGENCY_CODE_CHARS or len(code) > 40:
        raise InvalidFieldError("agency_code", "invalid_agency_code")
    return code


def staff_entry(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": account["_id"],
        "full_name": (account.get("profile") or {}).get("full_name", ""),
        "officer_roles": sorted(account.get("officer_roles", [])),
        "active": account.get("status") == Status.ACTIVE.value,
    }


async def agency_staff(ctx: Identity, actor: Actor, agency_code: str | None) -> dict[str, Any]:
    if actor.role not in ("admin", "system", Kind.OFFICER):
        raise NotAllowedError()  # before any question about the agency asked for
    code = agency_of_request(actor, agency_code)
    if not may_read_staff(actor, code):
        raise NotAllowedError()
    accounts = await ctx.store.staff_of(code)
    items = sorted(
        (staff_entry(a) for a in accounts),
        key=lambda s: (not s["active"], s["full_name"].casefold(), s["id"]),
    )
    return {"agency_code": code, "items": items}
