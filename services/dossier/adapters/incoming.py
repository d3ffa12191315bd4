"""What the dossier worker does with other services' events.

- catalog: ``procedure_published`` / ``procedure_withdrawn`` / ``agency_saved`` /
  ``calendar_updated`` into the local ``procedures``, ``agencies`` and
  ``calendar_overrides`` tables (version-guarded by the envelope's sequence, so
  redelivery and reordering are harmless); a procedure write ``NOTIFY``s the API
  processes, which drop their cached versions of that code;
- identity: ``document_added`` / ``document_removed``: which wallet document
  belongs to whom (a reference a dossier may cite, no bytes copied);
  ``profile_updated``: an organisation's data, to prefill its forms;
- payment: ``order_paid`` moves an awaiting-payment dossier on (the aggregate
  refuses a second application of the same order).

Each effect commits with its event id (:func:`shared.pg.effects.first_time`) in one
transaction.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from services.dossier.adapters.procedures import CHANNEL, PROFILE_FIELDS
from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.domain.errors import DossierError
from shared.events.envelope import IntegrationEvent
from shared.pg.calendar import TABLE as CALENDAR
from shared.pg.effects import first_time, upsert_versioned
from shared.pg.listen import notify

log = logging.getLogger(__name__)
CONSUMER = "dossier-worker"
Conn = psycopg.AsyncConnection[Any]


class IncomingEvents:
    def __init__(self, pool: AsyncConnectionPool[Any], dossiers: DossierApplication) -> None:
        self.pool = pool
        self.dossiers = dossiers

    async def handle(self, event: IntegrationEvent) -> None:
        kind = event.type.rsplit(".", 1)[-1]
        if event.context == "payment":
            if kind == "order_paid":
                await self._order_paid(event)
            return
        if event.context not in ("catalog", "identity"):
            return
        async with self.pool.connection() as conn, conn.transaction():
            if not await first_time(conn, CONSUMER, str(event.id)):
                return
            if event.context == "catalog":
                await self._catalog(conn, kind, event)
            elif kind in ("document_added", "document_removed"):
                await self._wallet(conn, kind, event)
            elif kind == "profile_updated":
                fields = {k: event.data[k] for k in PROFILE_FIELDS if k in event.data}
                await upsert_versioned(
                    conn, "profiles", "id", str(event.data["account_id"]), event.sequence, fields
                )

    async def _catalog(self, conn: Conn, kind: str, event: IntegrationEvent) -> None:
        data = event.data
        if kind in ("procedure_published", "procedure_withdrawn"):
            code, number = str(data["code"]), int(data["version"])
            values: dict[str, Any] = {
                "code": code,
                "procedure_version": number,
                "withdrawn": kind == "procedure_withdrawn",
            }
            if kind == "procedure_published":
                values["data"] = Jsonb(data)
            await upsert_versioned(
                conn, "procedures", "id", f"{code}@{number}", event.sequence, values
            )
            await notify(conn, CHANNEL, code)
        elif kind == "agency_saved":
            await upsert_versioned(
                conn,
                "agencies",
                "id",
                str(data["code"]),
                event.sequence,
                {
                    "name": data.get("name"),
                    "parent_code": data.get("parent_code"),
                    "tier": data.get("tier"),
                    "retired": bool(data.get("retired")),
                },
            )
        elif kind == "calendar_updated":
            await upsert_versioned(
                conn,
                CALENDAR,
                "id",
                event.subject,
                event.sequence,
                {
                    "year": data.get("year"),
                    "days_off": Jsonb(data.get("days_off") or []),
                    "working_days": Jsonb(data.get("working_days") or []),
                },
            )

    async def _wallet(self, conn: Conn, kind: str, event: IntegrationEvent) -> None:
        """Who owns which wallet document, and of what type: references, never bytes."""
        data = event.data
        changes: dict[str, Any] = {
            "account_id": str(data["account_id"]),
            "removed": kind == "document_removed",
        }
        if kind == "document_added":
            file = data.get("file") or {}
            changes.update(
                type=data.get("type"),
                number=data.get("number"),
                issued_on=data.get("issued_on"),
                issuer=data.get("issuer"),
                file=Jsonb({k: file.get(k) for k in ("name", "content_type", "size", "sha256")}),
            )
        await upsert_versioned(
            conn, "wallet_documents", "id", str(data["document_id"]), event.sequence, changes
        )

    async def _order_paid(self, event: IntegrationEvent) -> None:
        data = event.data
        try:
            applied = await asyncio.to_thread(
                self.dossiers.record_payment,
                UUID(str(data["dossier_id"])),
                str(data["order_id"]),
                int(data["amount"]),
                datetime.fromisoformat(str(data["paid_at"])),
            )
        except (DossierNotFoundError, DossierError) as error:
            # not ours to retry: log and move on (the payment service reconciles)
            log.warning(
                "payment not applied",
                extra={"event_id": str(event.id), "error": type(error).__name__},
            )
            return
        log.info(
            "payment applied" if applied else "payment already applied",
            extra={"dossier_id": data["dossier_id"]},
        )
