"""Identity events: the account email projection, and the activation and reset emails.

The links arrive sealed with notify's public key (shared/sealing.py); only this
process opens them, just before sending, and never logs or stores them. One
email per event: the delivery record's ``id`` is the event id, like the inbox, written
with the account projection and the processed-event record in one transaction; the
email goes after it commits.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from psycopg_pool import AsyncConnectionPool

from services.notify.adapters import store
from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.templates import render
from shared.events.envelope import IntegrationEvent
from shared.pg.effects import first_time
from shared.sealing import SealError, open_sealed
from shared.vn.time import format_time_on_date

log = logging.getLogger(__name__)

EMAILS = {
    "vn.motcua.identity.activation_requested": (
        "activation",
        "[Một Cửa] Kích hoạt tài khoản của bạn",
    ),
    "vn.motcua.identity.password_reset_requested": ("password_reset", "[Một Cửa] Đặt lại mật khẩu"),
}
PROJECTED = {
    "vn.motcua.identity.account_registered": ("email", "full_name", "kind", "agency_code"),
    "vn.motcua.identity.profile_updated": ("full_name",),
}


class IdentityEmails:
    def __init__(
        self, pool: AsyncConnectionPool[Any], mailer: RetryingMailer, seal_key: X25519PrivateKey
    ) -> None:
        self.pool = pool
        self.mailer = mailer
        self.seal_key = seal_key

    async def __call__(self, event: IntegrationEvent) -> None:
        event_id = str(event.id)
        async with self.pool.connection() as conn, conn.transaction():
            if await first_time(conn, "notify-identity", event_id):
                await self._project(conn, event)
            pending = event.type in EMAILS and await self._record(conn, event)
        if pending:
            await self._email(event)

    async def _project(self, conn: store.Conn, event: IntegrationEvent) -> None:
        """Keep ``accounts`` (id → email, name, kind, agency) for the emails of other
        contexts."""
        fields = PROJECTED.get(event.type)
        changes: dict[str, Any] = {}
        if fields:
            changes = {k: event.data[k] for k in fields if k in event.data}
        elif event.type == "vn.motcua.identity.account_activated":
            changes = {"status": "active"}
        if event.type == "vn.motcua.identity.account_registered":
            changes.setdefault("status", "pending")
        if changes:
            await store.project(conn, "accounts", event.subject, event.sequence, changes)

    async def _record(self, conn: store.Conn, event: IntegrationEvent) -> bool:
        """The delivery record, inserted once; True while its email is still to send."""
        cur = await conn.execute(
            "WITH ins AS (INSERT INTO emails (id, event_type, account_id, status, created_at)"
            " VALUES (%s, %s, %s, 'pending', %s) ON CONFLICT (id) DO NOTHING RETURNING status)"
            " SELECT status FROM ins UNION ALL SELECT status FROM emails WHERE id = %s",
            (str(event.id), event.type, event.subject, event.time, str(event.id)),
        )
        row = await cur.fetchone()
        return bool(row and row["status"] == "pending")

    async def _email(self, event: IntegrationEvent) -> None:
        event_id = str(event.id)
        try:
            link = open_sealed(self.seal_key, event.data["sealed_link"], event.subject.encode())
        except SealError:
            # Sealed for another key (e.g. notify's key was replaced): nothing to send.
            log.error("cannot open the sealed link", extra={"event_id": event_id})
            await self._mark(event_id, "unsealable")
            return
        template, subject = EMAILS[event.type]
        expires = datetime.fromisoformat(event.data["expires_at"])
        email = render(
            template,
            subject,
            full_name=event.data["full_name"],
            link=link,
            expires_at=format_time_on_date(expires),
        )
        await self.mailer.send(event.data["email"], email, event_id)
        await self._mark(event_id, "sent")

    async def _mark(self, event_id: str, status: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE emails SET status = %s, sent_at = now() WHERE id = %s", (status, event_id)
            )
