"""Account kinds, officer roles, and the events an account records.

An account's events are numbered by the account document's ``version``: the
event recorded with version *n* has ``sequence`` *n* and the stable id
``uuid5(subject/n)``, so a republished event keeps its id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.events.envelope import Actor, IntegrationEvent


class Kind(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"
    OFFICER = "officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


SELF_REGISTERED = frozenset({Kind.CITIZEN, Kind.ORGANISATION})
STAFF = frozenset({Kind.OFFICER, Kind.AUDITOR, Kind.ADMIN})
OFFICER_ROLES = frozenset({"receiver", "processor", "approver", "agency_admin"})


class Status(StrEnum):
    PENDING = "pending"  # registered, email not confirmed
    ACTIVE = "active"
    DISABLED = "disabled"


def system_actor() -> Actor:
    return Actor(id="identity", role="system")


def account_actor(account: dict[str, Any]) -> Actor:
    return Actor(
        id=account["_id"],
        role=account["kind"],
        agency=account.get("agency_code"),
        officer_roles=tuple(account.get("officer_roles", ())),
    )


def identity_event(
    account_id: str,
    sequence: int,
    type_: str,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
    correlation_id: str | None = None,
) -> IntegrationEvent:
    return IntegrationEvent.of(
        context="identity",
        kind=type_,
        subject=account_id,
        sequence=sequence,
        data=data,
        actor=actor,
        time=now,
        correlation_id=correlation_id,
    )


def public_profile(account: dict[str, Any]) -> dict[str, Any]:
    """What the account's owner (and the events) may see: never secrets."""
    profile = dict(account.get("profile", {}))
    return {
        "id": account["_id"],
        "kind": account["kind"],
        "email": account["email"],
        "status": account["status"],
        "agency_code": account.get("agency_code"),
        "officer_roles": list(account.get("officer_roles", [])),
        "created_at": account.get("created_at"),
        **profile,
    }
