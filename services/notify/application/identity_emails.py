"""Identity events: the account email projection, and the activation and reset emails.

The links arrive sealed with notify's public key (shared/sealing.py); only this
process opens them, just before sending, and never logs or stores them. One
email per event: the delivery record's ``_id`` is the event id, like the inbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pymongo.asynchronous.database import AsyncDatabase

from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.templates import render
from shared.events.envelope import IntegrationEvent
from shared.mongo import apply_versioned, insert_once
from shared.sealing import SealError, open_sealed

log = logging.getLogger(__name__)

VIETNAM = timezone(timedelta(hours=7), "ICT")
EMAILS = {
    "vn.motcua.identity.activation_requested": (
        "activation", "[Một Cửa] Kích hoạt tài khoản của bạn"),
    "vn.motcua.identity.password_reset_requested": (
        "password_reset", "[Một Cửa] Đặt lại mật khẩu"),
}
PROJECTED = {
    "vn.motcua.identity.account_registered": ("email", "full_name", "kind", "agency_code"),
    "vn.motcua.identity.profile_updated": ("full_name",),
}


class IdentityEmails:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], mailer: RetryingMailer,
                 seal_key: X25519PrivateKey) -> None:
        self.db = db
        self.mailer = mailer
        self.seal_key = seal_key

    async def __call__(self, event: IntegrationEvent) -> None:
        await self._project(event)
        if event.type in EMAILS:
            await self._email_once(event)

    async def _project(self, event: IntegrationEvent) -> None:
        """Keep ``accounts`` (id → email, name) for the emails of other contexts."""
        fields = PROJECTED.get(event.type)
        changes: dict[str, Any] = {}
        if fields:
            changes = {k: event.data[k] for k in fields if k in event.data}
        elif event.type == "vn.motcua.identity.account_activated":
            changes = {"status": "active"}
        if event.type == "vn.motcua.identity.account_registered":
            changes.setdefault("status", "pending")
        if changes:
            await apply_versioned(self.db.accounts, event.subject, event.sequence, changes)

    async def _email_once(self, event: IntegrationEvent) -> None:
        event_id = str(event.id)
        await insert_once(self.db.emails, {
            "_id": event_id, "event_type": event.type, "account_id": event.subject,
            "status": "pending", "created_at": event.time,
        })
        entry = await self.db.emails.find_one({"_id": event_id})
        if entry is None or entry["status"] != "pending":
            return
        try:
            link = open_sealed(self.seal_key, event.data["sealed_link"], event.subject.encode())
        except SealError:
            # Sealed for another key (e.g. notify's key was replaced): nothing to send.
            log.error("cannot open the sealed link", extra={"event_id": event_id})
            await self._mark(event_id, "unsealable")
            return
        template, subject = EMAILS[event.type]
        expires = datetime.fromisoformat(event.data["expires_at"]).astimezone(VIETNAM)
        email = render(template, subject, full_name=event.data["full_name"], link=link,
                       expires_at=expires.strftime("%H:%M ngày %d/%m/%Y"))
        await self.mailer.send(event.data["email"], email, event_id)
        await self._mark(event_id, "sent")

    async def _mark(self, event_id: str, status: str) -> None:
        await self.db.emails.update_one(
            {"_id": event_id}, {"$set": {"status": status, "sent_at": datetime.now(UTC)}}
        )
