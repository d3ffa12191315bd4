"""The in-document outbox on the real engines: a change and its events are one write,
and every event reaches Kafka in order, once per relay pass."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer

from shared.events.envelope import Actor, IntegrationEvent
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client
from shared.mongo_lock import DocumentLocks
from shared.mongo_outbox import OUTBOX, MongoOutboxRelay, outbox_push
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


def _event(subject: str, sequence: int) -> IntegrationEvent:
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, sequence), source="/motcua/catalog",
        type="vn.motcua.catalog.procedure_published", subject=subject,
        time=datetime.now(UTC), sequence=sequence, actor=Actor(id="admin", role="admin"),
        data={"form_schema": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                              "title": "Tờ khai đăng ký khai sinh"}},
    )


async def test_events_written_with_the_change_are_published_in_order_and_removed(
    engines: Engines, run_id: str
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.catalog.events"
    await ensure_topics(bootstrap, [topic], partitions=1)
    client = make_client(engines.mongo_url)
    procedures = client[run_id].procedures
    subject = str(uuid.uuid4())
    await procedures.insert_one({"_id": subject, "version": 0, OUTBOX: []})
    for sequence in (1, 2, 3):
        result = await procedures.update_one(
            {"_id": subject, "version": sequence - 1},
            {"$set": {"version": sequence}, **outbox_push(_event(subject, sequence))},
        )
        assert result.modified_count == 1
    producer = make_producer(bootstrap)
    await producer.start()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest")
    try:
        relay = MongoOutboxRelay([procedures], producer, topic, DocumentLocks(client[run_id].locks))
        assert await relay.relay_once() == 3
        assert await relay.relay_once() == 0
        assert (await procedures.find_one({"_id": subject}))[OUTBOX] == []
        await consumer.start()
        batch = await consumer.getmany(timeout_ms=5000)
        received = [IntegrationEvent.from_bytes(r.value) for rs in batch.values() for r in rs]
        assert [e.sequence for e in received] == [1, 2, 3]
        assert received[0].data["form_schema"]["$schema"].startswith("https://json-schema")
        assert received[0].data["form_schema"]["title"] == "Tờ khai đăng ký khai sinh"
    finally:
        await consumer.stop()
        await producer.stop()
        await client.drop_database(run_id)
        await client.close()
