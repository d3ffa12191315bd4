"""The outbox for MongoDB-backed services, kept inside each document.

FerretDB 1.x has no multi-document transactions, so a change and the events it
causes must be one single-document write: the update that changes a document
also appends its events to the document's ``_outbox`` array (:func:`outbox_push`).
:class:`MongoOutboxRelay` publishes pending entries in order and then removes
exactly those entries with ``$pullAll``. A crash between the broker's
acknowledgement and the removal republishes the same events with the same ids;
consumers de-duplicate on them.

FerretDB 1.x applies an update as read, modify, write back the whole document,
not atomically (see :mod:`shared.mongo_lock`): so the relay and every writer of
an outboxed document take that document's lock, or a concurrent write could
erase events or be erased.

Entries hold the envelope as a JSON string: event data may carry keys such as
``$schema`` that MongoDB-protocol servers refuse as field names.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.collection import AsyncCollection

from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import record_headers
from shared.mongo_lock import DocumentLocks, lock_key

log = logging.getLogger(__name__)

OUTBOX = "_outbox"


def outbox_push(*events: IntegrationEvent) -> dict[str, Any]:
    """The ``$push`` part of an update that records ``events`` with the change."""
    entries = [{"id": str(e.id), "event": e.model_dump_json()} for e in events]
    return {"$push": {OUTBOX: {"$each": entries}}}


class MongoOutboxRelay:
    def __init__(
        self,
        collections: list[AsyncCollection[dict[str, Any]]],
        producer: AIOKafkaProducer,
        topic: str,
        locks: DocumentLocks,
        batch_size: int = 100,
        idle_seconds: float = 0.2,
    ) -> None:
        self.collections = collections
        self.producer = producer
        self.topic = topic
        self.locks = locks
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds

    async def run(self) -> None:
        """Relay until cancelled; failures are retried, never skipped."""
        while True:
            try:
                published = await self.relay_once()
            except Exception:
                log.exception("mongo outbox relay failed; retrying", extra={"topic": self.topic})
                await asyncio.sleep(1.0)
                continue
            if not published:
                await asyncio.sleep(self.idle_seconds)

    async def relay_once(self) -> int:
        published = 0
        for collection in self.collections:
            pending = collection.find({f"{OUTBOX}.0": {"$exists": True}}, {"_id": 1})
            ids = [d["_id"] async for d in pending.limit(self.batch_size)]
            for doc_id in ids:
                async with self.locks.hold(lock_key(collection.name, doc_id)):
                    document = await collection.find_one({"_id": doc_id}, {OUTBOX: 1})
                    entries = (document or {}).get(OUTBOX) or []
                    if not entries:
                        continue
                    await self._publish([IntegrationEvent.model_validate_json(e["event"])
                                         for e in entries])
                    await collection.update_one({"_id": doc_id}, {"$pullAll": {OUTBOX: entries}})
                    published += len(entries)
        return published

    async def _publish(self, events: list[IntegrationEvent]) -> None:
        sends = [
            await self.producer.send(
                self.topic, value=e.to_bytes(), key=e.subject.encode(), headers=record_headers(e)
            )
            for e in events
        ]
        await asyncio.gather(*sends)
