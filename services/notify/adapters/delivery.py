"""SMTP delivery retried with exponential backoff.

``send`` retries in place (identity emails: the last failure is raised as
``DeliveryError`` and the stream parks the event in its DLQ with the reason);
``send_once`` is one attempt over a connection the caller keeps, for the email sender,
which spaces the attempts by ``delay`` in the store instead of sleeping."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from prometheus_client import Counter

from services.notify.domain.messages import DeliveryError, Email

log = logging.getLogger(__name__)
SENT = Counter("motcua_notify_emails_sent_total", "Emails accepted by the SMTP server")
FAILED = Counter("motcua_notify_email_failures_total", "Failed SMTP attempts")


class Mailer(Protocol):
    async def send(self, to: str, email: Email, event_id: str) -> None: ...


class Connection(Protocol):
    async def send(self, to: str, email: Email, event_id: str) -> None: ...

    async def close(self) -> None: ...


class _Unpooled:
    """A mailer without connections of its own (fakes): every send stands alone."""

    def __init__(self, mailer: Mailer) -> None:
        self.send = mailer.send

    async def close(self) -> None:
        return None


class RetryingMailer:
    def __init__(self, mailer: Mailer, attempts: int = 4, backoff_seconds: float = 0.5) -> None:
        self.mailer = mailer
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds

    async def send(self, to: str, email: Email, key: str) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                await self.mailer.send(to, email, key)
            except (OSError, TimeoutError, Exception) as error:  # aiosmtplib raises its own
                FAILED.inc()
                if attempt == self.attempts:
                    raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from error
                log.warning(
                    "SMTP failed, retrying", extra={"attempt": attempt, "error": str(error)}
                )
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            else:
                SENT.inc()
                return

    def connection(self) -> Connection:
        """A connection kept across sends when the mailer has them (SMTP), else the mailer."""
        opener = getattr(self.mailer, "connection", None)
        return opener() if opener is not None else _Unpooled(self.mailer)

    async def send_once(self, connection: Connection, to: str, email: Email, key: str) -> None:
        try:
            await connection.send(to, email, key)
        except Exception as error:  # aiosmtplib raises its own, OSError, TimeoutError
            FAILED.inc()
            raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from error
        SENT.inc()

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number ``attempt`` (1, 2, …)."""
        return float(self.backoff_seconds * 2 ** (attempt - 1))
