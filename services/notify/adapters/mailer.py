"""Email over SMTP with a Message-ID derived from the event id (stable across retries)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from services.notify.domain.messages import Email


def message_id(event_id: str, channel: str = "email") -> str:
    return f"<{event_id.replace(':', '.')}.{channel}@motcua.local>"


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host = host
        self.port = port
        self.sender = sender

    async def send(self, to: str, email: Email, event_id: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id(event_id)
        message.set_content(email.body, charset="utf-8")
        if email.html is not None:
            message.add_alternative(email.html, subtype="html", charset="utf-8")
        await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=10)
