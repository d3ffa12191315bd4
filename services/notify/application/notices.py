"""Dossier and payment events, and deadline reminders → inbox entries and emails.

Idempotent by construction: an inbox entry's ``id`` is the event id (the owner's) or
``<event id>:<user id>`` (an officer's), inserted once, in the transaction that also
records the event as processed (``shared.pg.effects.first_time``) and updates the
dossier projection; its ``email_status`` (pending → sent | failed | disabled |
no-address) says whether the email still has to go. A pending row carries its address
and what to render: the email sender (application/email_sender.py) sends it later, so
the agent never waits for SMTP. A redelivered event inserts nothing and sends nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from services.notify.adapters import store
from services.notify.domain.kinds import Notice, dossier_notices, payment_notices
from shared.events.envelope import IntegrationEvent
from shared.pg.effects import first_time

log = logging.getLogger(__name__)
Doc = dict[str, Any]


class Notifier:
    def __init__(
        self, pool: AsyncConnectionPool[Any], portal_url: str, inbox: str, outbox: str
    ) -> None:
        self.pool = pool
        self.portal_url = portal_url
        self.inbox = inbox  # NOTIFY channel of the live streams
        self.outbox = outbox  # NOTIFY channel of the email senders

    async def dossier_event(self, event: IntegrationEvent) -> None:
        # Pipelined: BEGIN, the processed-event record and the projection go in one round
        # trip (their results are not needed in between: the version-guarded projection
        # is a no-op for a redelivered event, which then inserts no inbox row either),
        # then the recipients, the inbox rows, COMMIT: four round trips per event.
        async with self.pool.connection() as conn, conn.pipeline(), conn.transaction():
            await first_time(conn, "notify-dossier", str(event.id))  # result unused
            dossier = (
                await store.project(
                    conn, "dossiers", event.subject, event.sequence, _dossier_changes(event)
                )
                or {}
            )
            code = event.data.get("code") or dossier.get("code") or ""
            notices = dossier_notices(event.type, event.data, code)
            await self._record(conn, str(event.id), event.type, event.time, dossier, notices)

    async def payment_event(self, event: IntegrationEvent) -> None:
        dossier_id = event.data.get("dossier_id")
        async with self.pool.connection() as conn, conn.pipeline(), conn.transaction():
            await first_time(conn, "notify-payment", str(event.id))
            dossier = await store.dossier(conn, dossier_id) or {}
            if not dossier and event.data.get("payer_id"):
                dossier = {"id": dossier_id, "owner_id": event.data["payer_id"]}
            code = dossier.get("code") or event.data.get("dossier_code", "")
            notices = payment_notices(event.type, event.data, code)
            await self._record(conn, str(event.id), event.type, event.time, dossier, notices)

    async def deliver(
        self, source_id: str, event_type: str, at: datetime, dossier: Doc, notices: list[Notice]
    ) -> None:
        """The notices of a reminder (``dossier`` from the deadlines table)."""
        async with self.pool.connection() as conn, conn.transaction():
            await self._record(conn, source_id, event_type, at, dossier, notices)

    async def _record(
        self,
        conn: store.Conn,
        source_id: str,
        event_type: str,
        at: datetime,
        dossier: Doc,
        notices: list[Notice],
    ) -> None:
        """The inbox rows of ``notices`` (those not there yet), with their emails, in the
        caller's transaction."""
        audiences = {n.audience for n in notices}
        people = await store.recipients(
            conn,
            owner=dossier.get("owner_id"),
            contact=dossier.get("contact_email"),
            agency=dossier.get("agency_code"),
            owners="owner" in audiences,
            officers="officers" in audiences,
        )
        rows: dict[str, Doc] = {}
        for notice in notices:
            for person in people:
                if person["audience"] != notice.audience:
                    continue
                user_id, address = person["user_id"], person["email"]
                entry_id = source_id if notice.audience == "owner" else f"{source_id}:{user_id}"
                if entry_id in rows:
                    continue
                wants = notice.email and bool((person["prefs"] or {}).get(notice.kind, True))
                status = (
                    "none"
                    if not notice.email
                    else "disabled"
                    if not wants
                    else "pending"
                    if address
                    else "no-address"
                )
                message = self._message(notice, dossier) if status == "pending" else None
                rows[entry_id] = store.entry_row(
                    entry_id,
                    source_id,
                    user_id,
                    notice.kind,
                    notice.title,
                    event_type,
                    dossier.get("id"),
                    notice.values.get("code"),
                    at,
                    status,
                    address if message else None,
                    message,
                )
        await store.insert_entries(conn, list(rows.values()), self.inbox, self.outbox)

    def _message(self, notice: Notice, dossier: Doc) -> Doc:
        """What the sender renders: the template, the subject and their values."""
        greeting = "Quý cán bộ" if notice.audience == "officers" else "Quý công dân"
        values = {
            "greeting": greeting,
            "portal_url": self.portal_url,
            "dossier_id": dossier.get("id") or "",
            **notice.values,
        }
        return {"template": notice.template, "subject": notice.subject, "values": values}


def _dossier_changes(event: IntegrationEvent) -> Doc:
    data = event.data
    changes: Doc = {"status": event.type.rsplit(".", 1)[-1]}
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
    return changes
