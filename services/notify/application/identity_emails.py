"""Identity events: the account email projection, the activation and reset emails, and
the notice to an address's owner that someone tried to register it.

The activation and reset links arrive sealed with notify's public key (shared/sealing.py); only this
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

from services.notify.application.ports import Mailer, NotifyStore, Templates
from services.notify.application.projections import account_row
from shared.events.envelope import IntegrationEvent
from shared.sealing import SealError, open_sealed
from shared.vn.time import format_time_on_date

log = logging.getLogger(__name__)

EMAILS = {
    "vn.motcua.identity.activation_requested": (
        "activation",
        "[Một Cửa] Kích hoạt tài khoản của bạn",
    ),
    "vn.motcua.identity.password_reset_requested": ("password_reset", "[Một Cửa] Đặt lại mật khẩu"),
    "vn.motcua.identity.registration_attempted": (
        "registration_attempted",
        "[Một Cửa] Có người đăng ký tài khoản bằng địa chỉ thư của bạn",
    ),
}


class IdentityEmails:
    def __init__(
        self,
        store: NotifyStore,
        mailer: Mailer,
        templates: Templates,
        seal_key: X25519PrivateKey,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.templates = templates
        self.seal_key = seal_key

    async def __call__(self, event: IntegrationEvent) -> None:
        event_id = str(event.id)
        async with self.store.effects() as effects:
            row = account_row(event)
            if await effects.first_time("notify-identity", event_id) and row:
                await effects.project(row.table, row.key, row.version, row.changes)
            pending = event.type in EMAILS and await effects.record_email(
                event_id, event.type, event.subject, event.time
            )
        if pending:
            await self._email(event)

    async def _email(self, event: IntegrationEvent) -> None:
        event_id = str(event.id)
        values = self._values(event)
        if values is None:
            # Sealed for another key (e.g. notify's key was replaced): nothing to send.
            log.error("cannot open the sealed link", extra={"event_id": event_id})
            await self.store.mark_email(event_id, "unsealable")
            return
        template, subject = EMAILS[event.type]
        email = self.templates.render(template, subject, **values)
        await self.mailer.send(event.data["email"], email, event_id)
        await self.store.mark_email(event_id, "sent")

    def _values(self, event: IntegrationEvent) -> dict[str, Any] | None:
        """The template's values; None when the sealed link does not open."""
        data = event.data
        if "sealed_link" not in data:  # links to public pages: nothing secret
            return {k: data[k] for k in ("full_name", "login_link", "reset_link")}
        try:
            link = open_sealed(self.seal_key, data["sealed_link"], event.subject.encode())
        except SealError:
            return None
        expires = datetime.fromisoformat(data["expires_at"])
        return {
            "full_name": data["full_name"],
            "link": link,
            "expires_at": format_time_on_date(expires),
        }
