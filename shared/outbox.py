"""The outbox relay: follow an application's notification log and publish to Kafka.

The event store is the outbox: `eventsourcing` writes each event and its
notification in one transaction. The relay publishes notifications in order
(acks=all, idempotent producer), and only after the broker acknowledged a
batch does it record a tracking record with the batch's last notification id.
A crash between the two republishes the batch: consumers de-duplicate by the
event id, which is derived from (subject, sequence) and so stable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from prometheus_client import Counter, Gauge

from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import record_headers

log = logging.getLogger(__name__)

# Returns None for an event that is not published (e.g. an index aggregate's event).
Translate = Callable[[DomainEventProtocol], IntegrationEvent | None]

RELAYED = Counter("motcua_outbox_relayed_total", "Events published by the relay", ["topic"])
POSITION = Gauge("motcua_outbox_position", "Last notification id published", ["relay"])
# Notification ids, not events: ids may have gaps and include events that are not published.
LAG = Gauge("motcua_outbox_lag", "Newest notification id minus the relay's position", ["relay"])


class OutboxRelay:
    def __init__(
        self,
        app: Application,
        translate: Translate,
        producer: AIOKafkaProducer,
        topic: str,
        name: str | None = None,
        batch_size: int = 200,
        idle_seconds: float = 0.2,
    ) -> None:
        self.app = app
        self.translate = translate
        self.producer = producer
        self.topic = topic
        self.name = name or f"kafka-relay:{app.name}:{topic}"
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.tracking = app.factory.tracking_recorder()

    def position(self) -> int:
        return self.tracking.max_tracking_id(self.name) or 0

    async def run(self) -> None:
        """Relay until cancelled; a failing broker or store is retried, never skipped."""
        backoff = self.idle_seconds
        while True:
            try:
                published = await self.relay_once()
            except Exception:
                log.exception("relay failed; retrying", extra={"relay": self.name})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = self.idle_seconds
            if not published:
                await asyncio.sleep(self.idle_seconds)

    async def relay_once(self) -> int:
        """Publish the next batch; returns how many events it published, 0 when the log
        holds nothing more to publish. Notifications that are not published (an index
        aggregate's events) are passed over: the tracking position moves past them."""
        while True:
            read, published = await self._relay_batch()
            if published or not read:
                return published

    async def _relay_batch(self) -> tuple[int, int]:
        """(notifications read, events published) for one batch."""
        position = await asyncio.to_thread(self.position)
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications,
            position,
            self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            LAG.labels(self.name).set(0)
            return 0, 0
        last = notifications[-1].id
        newest = last
        if len(notifications) == self.batch_size:  # more may wait behind this batch
            top = await asyncio.to_thread(self.app.recorder.max_notification_id)
            newest = top or last
        LAG.labels(self.name).set(newest - position)
        sends = []
        for notification in notifications:
            event = self.translate(self.app.mapper.to_domain_event(notification))
            if event is None:
                continue
            sends.append(
                await self.producer.send(
                    self.topic,
                    value=event.to_bytes(),
                    key=event.subject.encode(),
                    headers=record_headers(event),
                )
            )
        await asyncio.gather(*sends)
        await asyncio.to_thread(self.tracking.insert_tracking, Tracking(self.name, last))
        RELAYED.labels(self.topic).inc(len(sends))
        POSITION.labels(self.name).set(last)
        LAG.labels(self.name).set(newest - last)
        return len(notifications), len(sends)
