"""Turn integration events into inbox entries and emails, exactly once in effect.

The inbox entry's ``_id`` is the event id, so recording "processed" and the
effect are one write. The email's delivery state lives on that same entry:
a redelivered event finds it ``sent`` and sends nothing. A crash after the
SMTP server accepted the message but before ``sent`` was written resends it
with the same Message-ID, which mail clients treat as one message.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo.asynchronous.database import AsyncDatabase

from services.notify.domain.messages import Email, inbox_title, submitted_email
from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned, insert_once

log = logging.getLogger(__name__)


class Mailer(Protocol):
    async def send(self, to: str, email: Email, event_id: str) -> None: ...


class NotificationHandler:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], mailer: Mailer, portal_url: str) -> None:
        self.db = db
        self.mailer = mailer
        self.portal_url = portal_url

    async def __call__(self, event: IntegrationEvent) -> None:
        if event.context == "dossier":
            await self._project_dossier(event)
        title = inbox_title(event)
        if title is None:
            return
        dossier = await self.db.dossiers.find_one({"_id": event.subject}) or {}
        wants_email = event.type == "vn.motcua.dossier.submitted"
        await insert_once(
            self.db.notifications,
            {
                "_id": str(event.id),
                "user_id": dossier.get("owner_id", event.actor.id),
                "title": title,
                "event_type": event.type,
                "subject": event.subject,
                "created_at": event.time,
                "read": False,
                "email_status": "pending" if wants_email else "none",
            },
        )
        if wants_email:
            await self._email_once(event, dossier)

    async def _project_dossier(self, event: IntegrationEvent) -> None:
        changes: dict[str, Any] = {"status": event.type.rsplit(".", 1)[-1]}
        if event.type == "vn.motcua.dossier.created":
            changes["owner_id"] = event.data["owner_id"]
            changes["contact_email"] = event.data.get("form", {}).get("email")
        if "code" in event.data:
            changes["code"] = event.data["code"]
        await apply_versioned(self.db.dossiers, event.subject, event.sequence, changes)

    async def _email_once(self, event: IntegrationEvent, dossier: dict[str, Any]) -> None:
        entry = await self.db.notifications.find_one({"_id": str(event.id)})
        if entry is None or entry["email_status"] != "pending":
            return
        address = dossier.get("contact_email")
        if not address:
            await self._set_email_status(event, "no-address")
            return
        await self.mailer.send(address, submitted_email(event.data["code"], self.portal_url),
                               str(event.id))
        await self._set_email_status(event, "sent")

    async def _set_email_status(self, event: IntegrationEvent, status: str) -> None:
        await self.db.notifications.update_one(
            {"_id": str(event.id)},
            {"$set": {"email_status": status, "email_at": datetime.now(UTC)}},
        )
