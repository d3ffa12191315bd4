"""The event store as the outbox: a relay source that follows an application's
notification log.

`eventsourcing` writes each event and its notification in one transaction. The
source reads notifications after its tracking position and translates them; once
the relay has published a batch (:mod:`shared.relay`) it records a tracking record
with the batch's last notification id, which also passes over the notifications
that are not published (an index aggregate's events).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresApplicationRecorder
from prometheus_client import Gauge

from shared.events.envelope import IntegrationEvent
from shared.pg.listen import Listener
from shared.relay import Batch, Relay

# Returns None for an event that is not published (e.g. an index aggregate's event).
Translate = Callable[[DomainEventProtocol], IntegrationEvent | None]

POSITION = Gauge("motcua_outbox_position", "Last notification id published", ["relay"])
# Notification ids, not events: ids may have gaps and include events that are not published.
LAG = Gauge("motcua_outbox_lag", "Newest notification id minus the relay's position", ["relay"])


def store_listener(app: Application, dsn: str) -> Listener:
    """A listener woken at each commit of new events: ``eventsourcing``'s PostgreSQL
    recorder sends a ``NOTIFY`` on the channel named after its events table in the
    transaction that inserts them, so a relay need not poll the log."""
    recorder = app.recorder
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise TypeError(f"{app.name}'s event store is not PostgreSQL")
    return Listener(dsn, [recorder.channel_name])


def log_relay(
    app: Application, translate: Translate, producer: AIOKafkaProducer, topic: str, dsn: str
) -> Relay:
    """The relay of ``app``'s notification log to ``topic``, woken by the store's NOTIFY."""
    source = NotificationLogSource(app, translate, topic)
    return Relay(source, producer, topic, listener=store_listener(app, dsn))


class NotificationLogSource:
    def __init__(self, app: Application, translate: Translate, topic: str) -> None:
        self.app = app
        self.translate = translate
        self.name = f"kafka-relay:{app.name}:{topic}"  # one tracking position per topic
        self.tracking = app.factory.tracking_recorder()

    def position(self) -> int:
        return self.tracking.max_tracking_id(self.name) or 0

    @asynccontextmanager
    async def batch(self, size: int) -> AsyncIterator[Batch]:
        position = await asyncio.to_thread(self.position)
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, position, size, inclusive_of_start=False
        )
        if not notifications:
            LAG.labels(self.name).set(0)
            yield Batch([], 0)
            return
        last = notifications[-1].id
        newest = last
        if len(notifications) == size:  # more may wait behind this batch
            top = await asyncio.to_thread(self.app.recorder.max_notification_id)
            newest = top or last
        LAG.labels(self.name).set(newest - position)
        domain_events = (self.app.mapper.to_domain_event(n) for n in notifications)
        events = [e for e in map(self.translate, domain_events) if e is not None]
        yield Batch(events, len(notifications))
        await asyncio.to_thread(self.tracking.insert_tracking, Tracking(self.name, last))
        POSITION.labels(self.name).set(last)
        LAG.labels(self.name).set(newest - last)
