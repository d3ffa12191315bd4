"""notify's pure projections: the row a consumed event writes, whatever else it causes.

- ``dossiers``: every dossier event (owner, form address, agency, procedure, code,
  appointment, status);
- ``accounts``: identity's account events (address, name, kind, agency, status);
- ``calendar_overrides``: catalog's ``calendar_updated`` (``shared.pg.calendar``).

Each is a version-guarded upsert keyed by the event's subject at its sequence, so
applying a topic from its start in order rebuilds the table. The agents (notices.py,
identity_emails.py, ``CalendarOverrides``) and ``motcua projections rebuild notify``
(adapters/rebuild.py) both take the row from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.events.envelope import IntegrationEvent
from shared.pg.calendar import TABLE as CALENDAR_TABLE
from shared.pg.calendar import overrides_of

ACCOUNT_FIELDS = {
    "vn.motcua.identity.account_registered": ("email", "full_name", "kind", "agency_code"),
    "vn.motcua.identity.profile_updated": ("full_name",),
}


@dataclass(frozen=True)
class Projected:
    """``table``'s row ``key`` gets ``changes`` unless it is already at ``version``."""

    table: str
    key: str
    version: int
    changes: dict[str, Any]


def dossier_row(event: IntegrationEvent) -> Projected:
    data = event.data
    changes: dict[str, Any] = {"status": event.type.rsplit(".", 1)[-1]}
    if event.type == "vn.motcua.dossier.created":
        changes["owner_id"] = data["owner_id"]
        changes["contact_email"] = data.get("form", {}).get("email")
        changes["agency_code"] = data.get("agency_code")
        changes["procedure_code"] = (data.get("procedure") or {}).get("code")
    if event.type == "vn.motcua.dossier.transferred":
        changes["agency_code"] = data.get("to_agency")
    for key in ("code", "appointment_at"):
        if key in data:
            changes[key] = data[key]
    return Projected("dossiers", event.subject, event.sequence, changes)


def account_row(event: IntegrationEvent) -> Projected | None:
    fields = ACCOUNT_FIELDS.get(event.type)
    changes: dict[str, Any] = {}
    if fields:
        changes = {k: event.data[k] for k in fields if k in event.data}
    elif event.type == "vn.motcua.identity.account_activated":
        changes = {"status": "active"}
    if event.type == "vn.motcua.identity.account_registered":
        changes.setdefault("status", "pending")
    return Projected("accounts", event.subject, event.sequence, changes) if changes else None


def calendar_row(event: IntegrationEvent) -> Projected | None:
    values = overrides_of(event)
    return Projected(CALENDAR_TABLE, event.subject, event.sequence, values) if values else None


# The projection of each consumed context's topic (payment events project nothing).
PROJECTIONS: dict[str, Callable[[IntegrationEvent], Projected | None]] = {
    "identity": account_row,
    "dossier": dossier_row,
    "catalog": calendar_row,
}
TABLES = ("dossiers", "accounts", CALENDAR_TABLE)
