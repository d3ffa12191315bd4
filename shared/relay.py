"""The relay: publish a source's pending integration events to Kafka, then mark them done.

Two sources feed it: an event store's notification log
(:class:`shared.outbox.NotificationLogSource`, dossier and payment) and a service's
``outbox`` table (:class:`shared.pg.outbox.OutboxTableSource`, identity and catalog).
A source's :meth:`Source.batch` reads a batch on entering and marks it done on leaving
without an error; the relay publishes in between (acks=all, idempotent producer) and
waits for every acknowledgement. A crash or a refusing broker before the batch is marked
done leaves it pending, so it is published again with the same event ids (derived from
subject and sequence); consumers de-duplicate on them.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter

from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import record_headers
from shared.pg.listen import Listener

log = logging.getLogger(__name__)

RELAYED = Counter("motcua_outbox_relayed_total", "Events published by the relay", ["topic"])

MAX_BACKOFF_SECONDS = 10.0


@dataclass(frozen=True)
class Batch:
    events: list[IntegrationEvent]  # to publish, in order
    read: int  # items the source read (0: nothing pending); may exceed len(events)


class Source(Protocol):
    name: str

    def batch(self, size: int) -> AbstractAsyncContextManager[Batch]:
        """Up to ``size`` pending items; marked done when the context exits cleanly."""
        ...


class Relay:
    def __init__(
        self,
        source: Source,
        producer: AIOKafkaProducer,
        topic: str,
        *,
        listener: Listener | None = None,
        batch_size: int = 200,
    ) -> None:
        self.source = source
        self.producer = producer
        self.topic = topic
        self.listener = listener
        self.batch_size = batch_size
        # With a listener, a NOTIFY wakes an idle relay and the timeout is a safety net.
        self.idle_seconds = 0.2 if listener is None else 1.0

    async def run(self) -> None:
        """Relay until cancelled; a failing broker or store is retried, never skipped."""
        try:
            await self._relay_forever()
        finally:
            if self.listener is not None:
                await self.listener.close()

    async def _relay_forever(self) -> None:
        backoff = 0.2
        while True:
            try:
                published = await self.relay_once()
            except Exception:
                log.exception(
                    "relay failed; retrying",
                    extra={"relay": self.source.name, "topic": self.topic},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = 0.2
            if not published:
                await self._idle()

    async def relay_once(self) -> int:
        """Publish the next batch; returns how many events it published, 0 when nothing
        more is pending. A batch holding nothing to publish (the notifications of an
        index aggregate) is marked done and the next one read."""
        while True:
            async with self.source.batch(self.batch_size) as batch:
                await self._publish(batch.events)
            if batch.events or not batch.read:
                return len(batch.events)

    async def _publish(self, events: list[IntegrationEvent]) -> None:
        sends = [
            await self.producer.send(
                self.topic, value=e.to_bytes(), key=e.subject.encode(), headers=record_headers(e)
            )
            for e in events
        ]
        await asyncio.gather(*sends)
        RELAYED.labels(self.topic).inc(len(sends))

    async def _idle(self) -> None:
        if self.listener is None:
            await asyncio.sleep(self.idle_seconds)
        else:
            await self.listener.wait(self.idle_seconds)
