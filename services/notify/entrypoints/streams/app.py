"""The faust-streaming application: agents on the identity, dossier and payment topics.

At-least-once (faust commits an offset after the agent moved past the event),
never ``exactly_once``: every effect is idempotent by event id (see
application/notices.py). An event that cannot be decoded, or whose effect
fails (the store; an identity email after its SMTP retries), is parked in the
topic's ``.dlq`` twin with the reason, and the stream goes on; ``motcua dlq replay``
brings it back. Dossier and payment emails never fail an event: the email sender
sends them later (application/email_sender.py).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from faust.streams import _current_event
from prometheus_client import Counter

from services.notify.entrypoints.streams.consumer import consume_gapless
from services.notify.settings import NotifySettings
from shared.events.envelope import IntegrationEvent
from shared.events.topics import dlq_topic, events_topic
from shared.logs import correlation_id

log = logging.getLogger(__name__)
Handler = Callable[[IntegrationEvent], Awaitable[None]]
# decoded events with their faust events, in the order of the topic
BatchHandler = Callable[[list[tuple[IntegrationEvent, Any]]], Awaitable[None]]
HANDLED = Counter("motcua_notify_events_total", "Events handled by notify", ["type"])
PARKED = Counter("motcua_notify_dlq_total", "Events parked in a DLQ by notify", ["topic"])


def make_faust_app(settings: NotifySettings, bootstrap: str) -> faust.App:
    brokers = [f"kafka://{server.strip()}" for server in bootstrap.split(",")]
    app = faust.App(
        settings.consumer_group,
        broker=brokers,
        processing_guarantee="at_least_once",
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.kafka_replication_factor,
        store="memory://",  # tables are rebuilt from their changelog topics
        web_enabled=False,  # HTTP is the FastAPI app of the same process
        consumer_auto_offset_reset="earliest",
        datadir=str(settings.faust_datadir()),
        broker_commit_every=100,
        broker_commit_interval=1.0,
        # A crashed worker's partitions move to the others after 10 s, not faust's 60 s.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
    )
    consume_gapless(app)  # see consumer.py
    return app


class EventStream:
    """Decode, handle, and park what fails: the body of every agent."""

    def __init__(self, dlq: AIOKafkaProducer, group: str) -> None:
        self.dlq = dlq
        self.group = group

    async def handle(self, message: Any, handler: Handler) -> None:
        event = await self._decode(message)
        if event is not None:
            await self._handle(message, event, handler)

    async def handle_batch(self, items: Sequence[Any], handler: BatchHandler) -> None:
        """The decoded events of ``items`` (faust events) to ``handler`` together (one
        transaction); if that fails, each alone, so only an event that fails again is
        parked."""
        decoded = [(e, i) for i in items if (e := await self._decode(i.message)) is not None]
        if len(decoded) > 1:
            try:
                await handler(decoded)
            except Exception:
                log.warning("batch failed; its events one at a time", exc_info=True)
            else:
                for event, _ in decoded:
                    HANDLED.labels(event.type).inc()
                return
        for event, item in decoded:
            await self._handle(item.message, event, partial(_alone, handler, item))

    async def _decode(self, message: Any) -> IntegrationEvent | None:
        try:
            return IntegrationEvent.from_bytes(message.value)
        except ValueError as error:
            await self.park(message, f"invalid envelope: {error}")
            return None

    async def _handle(self, message: Any, event: IntegrationEvent, handler: Handler) -> None:
        token = correlation_id.set(event.correlationid or str(event.id))
        try:
            await handler(event)
        except Exception as error:  # already retried where retrying helps (SMTP)
            log.exception("event failed", extra={"event_id": str(event.id)})
            await self.park(message, f"{type(error).__name__}: {error}")
        else:
            HANDLED.labels(event.type).inc()
        finally:
            correlation_id.reset(token)

    async def park(self, message: Any, reason: str) -> None:
        log.error("parking message in DLQ", extra={"topic": message.topic, "reason": reason})
        headers = [
            *_headers(message),
            ("dlq-reason", reason.encode()[:1000]),
            ("dlq-source", f"{message.topic}/{message.partition}/{message.offset}".encode()),
            ("dlq-group", self.group.encode()),
        ]
        await self.dlq.send_and_wait(
            dlq_topic(message.topic), value=message.value, key=message.key, headers=headers
        )
        PARKED.labels(message.topic).inc()


async def _alone(handler: BatchHandler, item: Any, event: IntegrationEvent) -> None:
    await handler([(event, item)])


@contextmanager
def within(item: Any) -> Iterator[None]:
    """Make faust's event ``item`` the current one, as inside stream iteration: a table
    written while handling a ``take_events`` batch sends its changelog to that event's
    partition (faust internals: re-check when upgrading faust-streaming)."""
    token = _current_event.set(weakref.ref(item))
    try:
        yield
    finally:
        _current_event.reset(token)


def _headers(message: Any) -> list[tuple[str, bytes]]:
    headers = message.headers or []
    items = headers.items() if isinstance(headers, dict) else headers
    return [(k, v) for k, v in items if not k.startswith("dlq-")]


def topic_names(settings: NotifySettings) -> dict[str, str]:
    contexts = ("identity", "dossier", "payment", "catalog")
    return {c: events_topic(c, settings.topic_prefix) for c in contexts}
