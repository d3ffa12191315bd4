"""The email sender: drains the inbox rows whose email is pending, outside the agents.

The agents only commit inbox rows (``email_status = 'pending'`` with the address and
what to render) and move on; SMTP never holds up an event. Each notify process runs
one sender with ``concurrency`` workers, each with its own SMTP connection. A worker
claims due rows (``FOR UPDATE SKIP LOCKED``: several processes share the queue, none
takes a row another holds) for a lease, renders and sends each with the Message-ID
``<entry id>.email@…`` and marks it ``sent`` after the server's 250. At-least-once: a
sender that dies between the 250 and the mark leaves the claim to expire, and the row
is sent again, with the same Message-ID, which mail clients treat as one message.

A failed attempt puts the row back with the mailer's backoff (first pause, doubling);
after the mailer's number of attempts the row is ``failed`` with the server's answer in
``email_error``, in the inbox next to the entry, until an operator runs
``motcua notify retry-emails`` (the successor of replaying the event's DLQ).
Workers wait on NOTIFY from the inbox writes (``shared.pg.listen``), with a sweep every
``sweep_seconds`` for retries that fall due and for notifications missed while the
listening connection was being reopened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from prometheus_client import Counter

from services.notify.application.ports import (
    EmailQueue,
    Listen,
    MailConnection,
    Mailer,
    Row,
    Templates,
)
from services.notify.domain.messages import DeliveryError

log = logging.getLogger(__name__)
GAVE_UP = Counter(
    "motcua_notify_emails_failed_total", "Emails marked failed after every SMTP attempt"
)


class EmailSender:
    def __init__(
        self,
        queue: EmailQueue,
        mailer: Mailer,
        templates: Templates,
        listen: Listen,
        *,
        concurrency: int = 4,
        lease_seconds: float = 30.0,
        sweep_seconds: float = 1.0,
    ) -> None:
        self.queue = queue
        self.mailer = mailer
        self.templates = templates
        self.listener = listen(self._wake)  # woken by the inbox writes, and on (re)connect
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.sweep_seconds = sweep_seconds
        self._generation = 0  # bumped on every wake-up: a worker never sleeps past one
        self._woken = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def _wake(self) -> None:
        self._generation += 1
        self._woken.set()
        self._woken.clear()  # the waiters already woken stay woken

    async def _listen(self) -> None:
        while True:
            try:
                await self.listener.wait(self.sweep_seconds)  # a notification or the sweep
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the sender die with the process still serving
                log.exception("email listener failed; retrying")
                await asyncio.sleep(1.0)
            self._wake()

    async def _work(self, number: int) -> None:
        connection = self.mailer.connection()
        try:
            while True:
                seen = self._generation
                try:
                    sent = await self.drain_once(connection)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the store is away: the sweep brings us back
                    log.exception("email worker failed", extra={"worker": number})
                    sent = 0
                if sent == 0 and seen == self._generation:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._woken.wait(), self.sweep_seconds * 2)
        finally:
            await connection.close()

    async def drain_once(self, connection: MailConnection, limit: int = 4) -> int:
        """Claim up to ``limit`` due emails (one statement for several) and attempt each
        once; how many were claimed. Rows whose turn comes after half their lease (a slow
        server) are handed back unattempted rather than risk a second sender taking them
        while this one still sends."""
        claimed_at = time.monotonic()
        claimed = await self.queue.claim(limit, self.lease_seconds)
        for index, row in enumerate(claimed):
            if time.monotonic() - claimed_at > self.lease_seconds / 2:
                await self.queue.release([r["id"] for r in claimed[index:]])
                break
            await self._attempt(connection, row)
        return len(claimed)

    async def _attempt(self, connection: MailConnection, row: Row) -> None:
        message = row["email_message"]
        email = self.templates.render(
            message["template"], message["subject"], strict=False, **message["values"]
        )
        try:
            await self.mailer.send_once(connection, row["email_to"], email, row["id"])
        except DeliveryError as error:
            attempt = row["email_attempts"]
            retry_in = None if attempt >= self.mailer.attempts else self.mailer.delay(attempt)
            log.log(
                logging.WARNING if retry_in is not None else logging.ERROR,
                "email not sent",
                extra={
                    "entry_id": row["id"],
                    "attempt": attempt,
                    "error": str(error),
                    "retry_in": retry_in,
                },
            )
            if retry_in is None:
                GAVE_UP.inc()
            await self.queue.failed(row["id"], str(error), retry_in)
            return
        await self.queue.sent(row["id"])

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen(), name="notify-email-listener")]
        self._tasks += [
            asyncio.create_task(self._work(n), name=f"notify-email-{n}")
            for n in range(self.concurrency)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.listener.close()
