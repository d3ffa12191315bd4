"""The idempotent consumer on the real broker: poison messages and failing handlers
are parked in the DLQ with the reason, and the stream goes on."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.events.envelope import Actor, IntegrationEvent
from shared.events.topics import dlq_topic
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.producer import make_producer, publish
from shared.kafka.topics import ensure_topics
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


def _event(number: int) -> IntegrationEvent:
    subject = str(uuid.uuid4())
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, 1),
        source="/test",
        subject=subject,
        type="vn.motcua.dossier.created",
        time=datetime.now(UTC),
        data={"n": number},
        sequence=1,
        actor=Actor(id="tester", role="system"),
    )


async def _read_all(bootstrap: str, topic: str) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        return [r for records in batch.values() for r in records]
    finally:
        await consumer.stop()


async def test_poison_and_failing_events_go_to_the_dlq_and_the_rest_is_handled(
    engines: Engines, run_id: str
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.dossier.events"
    await ensure_topics(bootstrap, [topic], partitions=1)
    handled: list[int] = []
    attempts: dict[int, int] = {}

    async def handler(event: IntegrationEvent) -> None:
        number = event.data["n"]
        attempts[number] = attempts.get(number, 0) + 1
        if number == 2:
            raise RuntimeError("máy chủ thư không phản hồi")
        handled.append(number)

    producer = make_producer(bootstrap)
    await producer.start()
    raw = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await raw.start()
    try:
        await publish(producer, topic, _event(1))
        await raw.send_and_wait(topic, value=b"{not json", key=b"poison")
        await publish(producer, topic, _event(2))
        await publish(producer, topic, _event(3))
    finally:
        await producer.stop()
        await raw.stop()

    consumer = IdempotentConsumer(
        bootstrap_servers=bootstrap,
        topics=[topic],
        group_id=run_id,
        handler=handler,
        max_attempts=3,
        backoff_seconds=0.05,
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(200):
            if 3 in handled:
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()

    assert handled == [1, 3]
    assert attempts[2] == 3
    parked = await _read_all(bootstrap, dlq_topic(topic))
    reasons = [dict(r.headers)["dlq-reason"].decode() for r in parked]
    assert len(parked) == 2
    assert reasons[0].startswith("invalid envelope")
    assert "máy chủ thư không phản hồi" in reasons[1]
    assert parked[0].value == b"{not json"
