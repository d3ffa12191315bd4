"""What the dossier worker does with other services' events.

- catalog: ``procedure_published`` / ``procedure_withdrawn`` / ``calendar_updated``
  into the local ``procedures`` and ``calendar`` collections (version-guarded by
  the envelope's sequence, so redelivery and reordering are harmless);
- identity: ``document_added`` / ``document_removed``: which wallet document
  belongs to whom (a reference a dossier may cite, no bytes copied);
  ``profile_updated``: an organisation's data, to prefill its forms;
- payment: ``order_paid`` moves an awaiting-payment dossier on (the aggregate
  refuses a second application of the same order).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from services.dossier.adapters.procedures import (
    AGENCIES,
    CALENDAR,
    PROCEDURES,
    PROFILE_FIELDS,
    PROFILES,
    WALLET,
)
from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.domain.errors import DossierError
from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned

log = logging.getLogger(__name__)


class IncomingEvents:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], dossiers: DossierApplication) -> None:
        self.db = db
        self.dossiers = dossiers

    async def handle(self, event: IntegrationEvent) -> None:
        kind = event.type.rsplit(".", 1)[-1]
        if event.context == "catalog":
            await self._catalog(kind, event)
        elif event.context == "identity" and kind in ("document_added", "document_removed"):
            await self._wallet(kind, event)
        elif event.context == "identity" and kind == "profile_updated":
            fields = {k: event.data[k] for k in PROFILE_FIELDS if k in event.data}
            await apply_versioned(self.db[PROFILES], str(event.data["account_id"]),
                                  event.sequence, fields)
        elif event.context == "payment" and kind == "order_paid":
            await self._order_paid(event)

    async def _catalog(self, kind: str, event: IntegrationEvent) -> None:
        data = event.data
        if kind == "procedure_published":
            doc = {k: v for k, v in data.items() if k not in ("form_schema", "form_ui")}
            # keys such as "$schema" are not valid MongoDB field names: keep the schema as JSON
            doc["form_schema_json"] = json.dumps(data.get("form_schema") or {})
            await apply_versioned(self.db[PROCEDURES], f"{data['code']}@{data['version']}",
                                  event.sequence, {**_storable(doc), "withdrawn": False})
        elif kind == "procedure_withdrawn":
            await apply_versioned(self.db[PROCEDURES], f"{data['code']}@{data['version']}",
                                  event.sequence, {"withdrawn": True})
        elif kind == "agency_saved":
            await apply_versioned(self.db[AGENCIES], str(data["code"]), event.sequence, {
                "name": data.get("name"), "parent_code": data.get("parent_code"),
                "tier": data.get("tier"), "retired": bool(data.get("retired")),
            })
        elif kind == "calendar_updated":
            await apply_versioned(self.db[CALENDAR], event.subject, event.sequence, {
                "year": data.get("year"), "days_off": data.get("days_off") or [],
                "working_days": data.get("working_days") or [],
            })

    async def _wallet(self, kind: str, event: IntegrationEvent) -> None:
        """Who owns which wallet document, and of what type: references, never bytes."""
        data = event.data
        changes: dict[str, Any] = {"account_id": str(data["account_id"]),
                                   "removed": kind == "document_removed"}
        if kind == "document_added":
            file = data.get("file") or {}
            changes.update(type=data.get("type"), number=data.get("number"),
                           issued_on=data.get("issued_on"), issuer=data.get("issuer"),
                           file={k: file.get(k) for k in ("name", "content_type", "size",
                                                            "sha256")})
        await apply_versioned(self.db[WALLET], str(data["document_id"]), event.sequence, changes)

    async def _order_paid(self, event: IntegrationEvent) -> None:
        data = event.data
        try:
            applied = await asyncio.to_thread(
                self.dossiers.record_payment, UUID(str(data["dossier_id"])),
                str(data["order_id"]), int(data["amount"]),
                datetime.fromisoformat(str(data["paid_at"])),
            )
        except (DossierNotFoundError, DossierError) as error:
            # not ours to retry: log and move on (the payment service reconciles)
            log.warning("payment not applied", extra={"event_id": str(event.id),
                                                      "error": type(error).__name__})
            return
        log.info("payment applied" if applied else "payment already applied",
                 extra={"dossier_id": data["dossier_id"]})


def _storable(value: Any) -> Any:
    """Field names MongoDB-protocol servers accept: no leading "$", no "."."""
    if isinstance(value, dict):
        return {k.replace("$", "＄").replace(".", "．"): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value
