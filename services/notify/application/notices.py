"""Dossier and payment events, and deadline reminders → inbox entries and emails.

Idempotent by construction: an inbox entry's ``_id`` is the event id (the
owner's) or ``<event id>:<user id>`` (an officer's), inserted once; its
``email_status`` (pending → sent | disabled | no-address) says whether the
email still has to go. A redelivered event finds ``sent`` and sends nothing; a
crash between the server's 250 and the ``sent`` mark resends with the same
Message-ID, which mail clients treat as one message.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.templates import render
from services.notify.domain.kinds import Notice, dossier_notices, payment_notices
from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned, insert_once

log = logging.getLogger(__name__)
Doc = dict[str, Any]


class Notifier:
    def __init__(self, db: AsyncDatabase[Doc], mailer: RetryingMailer, portal_url: str) -> None:
        self.db = db
        self.mailer = mailer
        self.portal_url = portal_url

    async def dossier_event(self, event: IntegrationEvent) -> None:
        await self._project_dossier(event)
        dossier = await self.db.dossiers.find_one({"_id": event.subject}) or {}
        code = event.data.get("code") or dossier.get("code", "")
        notices = dossier_notices(event.type, event.data, code)
        await self.deliver(str(event.id), event.type, event.time, dossier, notices)

    async def payment_event(self, event: IntegrationEvent) -> None:
        dossier_id = event.data.get("dossier_id")
        dossier = await self.db.dossiers.find_one({"_id": dossier_id}) or {}
        if not dossier and event.data.get("payer_id"):
            dossier = {"_id": dossier_id, "owner_id": event.data["payer_id"]}
        code = dossier.get("code") or event.data.get("dossier_code", "")
        notices = payment_notices(event.type, event.data, code)
        await self.deliver(str(event.id), event.type, event.time, dossier, notices)

    async def deliver(self, source_id: str, event_type: str, at: datetime, dossier: Doc,
                      notices: list[Notice]) -> None:
        for notice in notices:
            for user_id, address in await self._recipients(notice, dossier):
                entry_id = source_id if notice.audience == "owner" else f"{source_id}:{user_id}"
                wants = notice.email and await self._wants_email(user_id, notice.kind)
                await insert_once(self.db.notifications, {
                    "_id": entry_id, "user_id": user_id, "kind": notice.kind,
                    "title": notice.title, "event_type": event_type,
                    "subject": dossier.get("_id"), "code": notice.values.get("code"),
                    "created_at": at, "recorded_at": datetime.now(UTC), "read": False,
                    "email_status": "pending" if wants else ("disabled" if notice.email
                                                             else "none"),
                })
                await self._email_once(entry_id, address, notice, dossier)

    async def _email_once(self, entry_id: str, address: str | None, notice: Notice,
                          dossier: Doc) -> None:
        entry = await self.db.notifications.find_one({"_id": entry_id})
        if entry is None or entry["email_status"] != "pending":
            return
        if not address:
            await self._mark(entry_id, "no-address")
            return
        greeting = "Quý cán bộ" if notice.audience == "officers" else "Quý công dân"
        values = {"greeting": greeting, "portal_url": self.portal_url,
                  "dossier_id": dossier.get("_id", ""), **notice.values}
        email = render(notice.template, notice.subject, strict=False, **values)
        await self.mailer.send(address, email, entry_id)
        await self._mark(entry_id, "sent")

    async def _recipients(self, notice: Notice, dossier: Doc) -> list[tuple[str, str | None]]:
        if notice.audience == "owner":
            owner = dossier.get("owner_id")
            if not owner:
                return []
            if dossier.get("contact_email"):  # the address filled in the form (seed 003)
                return [(owner, dossier["contact_email"])]
            account = await self.db.accounts.find_one({"_id": owner}) or {}
            return [(owner, account.get("email"))]
        agency = dossier.get("agency_code")
        if not agency:
            return []
        officers = self.db.accounts.find({"kind": "officer", "agency_code": agency})
        return [(o["_id"], o.get("email")) async for o in officers]

    async def _wants_email(self, user_id: str, kind: str) -> bool:
        prefs = await self.db.preferences.find_one({"_id": user_id}) or {}
        return bool(prefs.get("email", {}).get(kind, True))

    async def _mark(self, entry_id: str, status: str) -> None:
        await self.db.notifications.update_one(
            {"_id": entry_id}, {"$set": {"email_status": status, "email_at": datetime.now(UTC)}})

    async def _project_dossier(self, event: IntegrationEvent) -> None:
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
        await apply_versioned(self.db.dossiers, event.subject, event.sequence, changes)
