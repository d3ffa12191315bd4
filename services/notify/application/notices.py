"""Dossier and payment events, and deadline reminders → inbox entries and emails.

Idempotent by construction: an inbox entry's ``id`` is the event id (the owner's) or
``<event id>:<user id>`` (an officer's), inserted once, in the transaction that also
records the event as processed (``shared.pg.effects.first_time``) and updates the
dossier projection; its ``email_status`` (pending → sent | disabled | no-address) says
whether the email still has to go. The email is sent after that transaction commits
and marked ``sent`` after the server's 250: a redelivered event finds ``sent`` and
sends nothing; a crash between the 250 and the mark resends with the same Message-ID,
which mail clients treat as one message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from services.notify.adapters import store
from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.templates import render
from services.notify.domain.kinds import Notice, dossier_notices, payment_notices
from shared.events.envelope import IntegrationEvent
from shared.pg.effects import first_time

log = logging.getLogger(__name__)
Doc = dict[str, Any]


@dataclass(frozen=True)
class PendingEmail:
    entry_id: str
    address: str
    notice: Notice
    dossier_id: str


class Notifier:
    def __init__(self, pool: AsyncConnectionPool[Any], mailer: RetryingMailer, portal_url: str,
                 channel: str) -> None:
        self.pool = pool
        self.mailer = mailer
        self.portal_url = portal_url
        self.channel = channel

    async def dossier_event(self, event: IntegrationEvent) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            if await first_time(conn, "notify-dossier", str(event.id)):
                dossier = await store.project(conn, "dossiers", event.subject, event.sequence,
                                              _dossier_changes(event))
            else:  # redelivered: only an email still pending is left to do
                dossier = await store.dossier(conn, event.subject)
            dossier = dossier or {}
            code = event.data.get("code") or dossier.get("code") or ""
            notices = dossier_notices(event.type, event.data, code)
            pending = await self._record(conn, str(event.id), event.type, event.time,
                                         dossier, notices)
        await self._send(pending)

    async def payment_event(self, event: IntegrationEvent) -> None:
        dossier_id = event.data.get("dossier_id")
        async with self.pool.connection() as conn, conn.transaction():
            await first_time(conn, "notify-payment", str(event.id))
            dossier = await store.dossier(conn, dossier_id) or {}
            if not dossier and event.data.get("payer_id"):
                dossier = {"id": dossier_id, "owner_id": event.data["payer_id"]}
            code = dossier.get("code") or event.data.get("dossier_code", "")
            notices = payment_notices(event.type, event.data, code)
            pending = await self._record(conn, str(event.id), event.type, event.time,
                                         dossier, notices)
        await self._send(pending)

    async def deliver(self, source_id: str, event_type: str, at: datetime, dossier: Doc,
                      notices: list[Notice]) -> None:
        """The notices of a reminder (``dossier`` from the deadlines table)."""
        async with self.pool.connection() as conn, conn.transaction():
            pending = await self._record(conn, source_id, event_type, at, dossier, notices)
        await self._send(pending)

    async def _record(self, conn: store.Conn, source_id: str, event_type: str, at: datetime,
                      dossier: Doc, notices: list[Notice]) -> list[PendingEmail]:
        """The inbox rows of ``notices`` (those not there yet) in the caller's transaction;
        the emails still to send."""
        audiences = {n.audience for n in notices}
        people = await store.recipients(
            conn, owner=dossier.get("owner_id"), contact=dossier.get("contact_email"),
            agency=dossier.get("agency_code"), owners="owner" in audiences,
            officers="officers" in audiences)
        rows: dict[str, Doc] = {}
        emails: dict[str, PendingEmail] = {}
        for notice in notices:
            for person in people:
                if person["audience"] != notice.audience:
                    continue
                user_id, address = person["user_id"], person["email"]
                entry_id = source_id if notice.audience == "owner" else f"{source_id}:{user_id}"
                if entry_id in rows:
                    continue
                wants = notice.email and bool((person["prefs"] or {}).get(notice.kind, True))
                status = ("none" if not notice.email else "disabled" if not wants
                          else "pending" if address else "no-address")
                rows[entry_id] = store.entry_row(
                    entry_id, source_id, user_id, notice.kind, notice.title, event_type,
                    dossier.get("id"), notice.values.get("code"), at, status)
                if address:
                    emails[entry_id] = PendingEmail(entry_id, address, notice,
                                                    dossier.get("id") or "")
        written = await store.insert_entries(conn, list(rows.values()))
        await store.wake(conn, self.channel, [r["user_id"] for r in written if r["new"]])
        return [emails[r["id"]] for r in written
                if r["email_status"] == "pending" and r["id"] in emails]

    async def _send(self, pending: list[PendingEmail]) -> None:
        """Send after the inbox rows committed; mark what the server accepted, even when a
        later one fails (that one goes to the DLQ with its event)."""
        sent: list[str] = []
        try:
            for email in pending:
                greeting = "Quý cán bộ" if email.notice.audience == "officers" else "Quý công dân"
                values = {"greeting": greeting, "portal_url": self.portal_url,
                          "dossier_id": email.dossier_id, **email.notice.values}
                message = render(email.notice.template, email.notice.subject, strict=False,
                                 **values)
                await self.mailer.send(email.address, message, email.entry_id)
                sent.append(email.entry_id)
        finally:
            if sent:
                async with self.pool.connection() as conn:
                    await store.mark_emails(conn, sent, "sent")


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
