"""Dossier and payment events, and deadline reminders → inbox entries and emails.

Idempotent by construction: an inbox entry's ``id`` is the event id (the owner's) or
``<event id>:<user id>`` (an officer's), inserted once, in the transaction that also
records the event as processed (``shared.pg.effects``) and updates the dossier
projection; its ``email_status`` (pending → sent | failed | disabled | no-address) says
whether the email still has to go. A pending row carries its address and what to
render: the email sender (application/email_sender.py) sends it later, so the agent
never waits for SMTP. A redelivered event inserts nothing and sends nothing.

Dossier events come in batches, one transaction each, pipelined: BEGIN and the
processed-event records of the batch, the projections of the new ones, their
recipients with preferences (one query), their inbox rows (one statement that also
NOTIFYs), COMMIT: five round trips per batch, whatever its size.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notify.application.ports import Audience, Effects, NotifyStore
from services.notify.application.projections import dossier_row
from services.notify.domain.kinds import Notice, dossier_notices, payment_notices
from shared.events.envelope import IntegrationEvent

Doc = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Occasion:
    """What one event or reminder notifies, about which dossier."""

    source_id: str
    event_type: str
    at: datetime
    dossier: Doc
    notices: list[Notice]

    def audience(self) -> Audience:
        audiences = {n.audience for n in self.notices}
        return Audience(
            owner=self.dossier.get("owner_id"),
            contact=self.dossier.get("contact_email"),
            agency=self.dossier.get("agency_code"),
            owners="owner" in audiences,
            officers="officers" in audiences,
        )


class Notifier:
    def __init__(
        self, store: NotifyStore, portal_url: str, owner_wait_seconds: float = 60.0
    ) -> None:
        self.store = store
        self.portal_url = portal_url
        self.owner_wait_seconds = owner_wait_seconds

    async def dossier_events(self, events: Sequence[IntegrationEvent]) -> None:
        """The batch in one transaction: the events not handled before update the
        projection in order and get their inbox rows; a failure keeps none of it."""
        async with self.store.effects(pipelined=True) as effects:
            fresh = await effects.first_times("notify-dossier", [str(e.id) for e in events])
            new: list[IntegrationEvent] = []
            for event in events:
                if str(event.id) in fresh:
                    fresh.discard(str(event.id))  # the same event twice in a batch: once
                    new.append(event)
            dossiers = await effects.project_many([dossier_row(e) for e in new])
            occasions = []
            for event, found in zip(new, dossiers, strict=True):
                dossier = found or {}
                code = event.data.get("code") or dossier.get("code") or ""
                notices = dossier_notices(event.type, event.data, code)
                occasions.append(Occasion(str(event.id), event.type, event.time, dossier, notices))
            await self._record(effects, occasions)

    async def payment_event(self, event: IntegrationEvent) -> None:
        dossier_id = event.data.get("dossier_id")
        if not event.data.get("payer_id") and payment_notices(event.type, event.data, ""):
            await self._await_dossier(dossier_id)
        async with self.store.effects(pipelined=True) as effects:
            await effects.first_time("notify-payment", str(event.id))
            dossier = await effects.dossier(dossier_id) or {}
            if not dossier and event.data.get("payer_id"):
                dossier = {"id": dossier_id, "owner_id": event.data["payer_id"]}
            code = dossier.get("code") or event.data.get("dossier_code", "")
            notices = payment_notices(event.type, event.data, code)
            occasion = Occasion(str(event.id), event.type, event.time, dossier, notices)
            await self._record(effects, [occasion])

    async def _await_dossier(self, dossier_id: str | None) -> None:
        """Only ``order_created`` names the payer; a later payment event finds its owner
        in the dossier projection. After a restart notify reads the dossier and payment
        topics' backlogs side by side, so ``order_paid`` can come before the dossier's own
        events: recorded then, it would be marked processed with nobody to tell (the
        chaos benchmark lost «Biên lai thanh toán» that way). Wait for the dossier agent,
        bounded: a dossier that never arrives must not stop the payment agent."""
        deadline = time.monotonic() + self.owner_wait_seconds
        while dossier_id:
            async with self.store.effects() as effects:
                if await effects.dossier(dossier_id):
                    return
            if time.monotonic() > deadline:
                log.warning("no dossier %s for a payment event; recorded without owner", dossier_id)
                return
            await asyncio.sleep(0.2)

    async def deliver(
        self, source_id: str, event_type: str, at: datetime, dossier: Doc, notices: list[Notice]
    ) -> None:
        """The notices of a reminder (``dossier`` from the deadlines table)."""
        async with self.store.effects() as effects:
            await self._record(effects, [Occasion(source_id, event_type, at, dossier, notices)])

    async def _record(self, effects: Effects, occasions: Sequence[Occasion]) -> None:
        """The inbox rows of the occasions' notices (those not there yet), with their
        emails, in the caller's transaction: one recipients query, one insert."""
        if not occasions:
            return
        people = await effects.recipients([o.audience() for o in occasions])
        rows: dict[str, Doc] = {}
        for occasion, persons in zip(occasions, people, strict=True):
            self._rows(occasion, persons, rows)
        await effects.insert_entries(list(rows.values()))

    def _rows(self, occasion: Occasion, people: list[Doc], rows: dict[str, Doc]) -> None:
        source_id, dossier = occasion.source_id, occasion.dossier
        for notice in occasion.notices:
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
                rows[entry_id] = entry_row(
                    entry_id,
                    source_id,
                    user_id,
                    notice.kind,
                    notice.title,
                    occasion.event_type,
                    dossier.get("id"),
                    notice.values.get("code"),
                    occasion.at,
                    status,
                    address if message else None,
                    message,
                )

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


def entry_row(
    entry_id: str,
    source_id: str,
    user_id: str,
    notice_kind: str,
    title: str,
    event_type: str,
    subject: str | None,
    code: str | None,
    at: datetime,
    email_status: str,
    email_to: str | None = None,
    email_message: Mapping[str, Any] | None = None,
) -> Doc:
    return {
        "id": entry_id,
        "source_id": source_id,
        "user_id": user_id,
        "kind": notice_kind,
        "title": title,
        "event_type": event_type,
        "subject": subject,
        "code": code,
        "created_at": at,
        "email_status": email_status,
        "email_to": email_to,
        "email_message": email_message,
    }
