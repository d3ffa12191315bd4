"""Consumer lag on the real broker: a consumer held in its handler shows the backlog per
partition on /metrics, and 0 once it has handled and committed everything."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY, generate_latest

from shared.events.envelope import Actor, IntegrationEvent
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.producer import make_producer, publish
from shared.kafka.topics import ensure_topics
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
EVENTS = 7


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


async def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_lag_is_the_backlog_while_held_and_zero_once_handled(
    engines: Engines, run_id: str
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.dossier.events"
    await ensure_topics(bootstrap, [topic], partitions=1)
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        for number in range(EVENTS):
            await publish(producer, topic, _event(number))
    finally:
        await producer.stop()

    gate = asyncio.Event()
    handled: list[int] = []

    async def handler(event: IntegrationEvent) -> None:
        await gate.wait()
        handled.append(event.data["n"])

    labels = {"group": run_id, "topic": topic, "partition": "0"}

    def lag() -> float | None:
        return REGISTRY.get_sample_value("motcua_consumer_lag", labels)

    consumer = IdempotentConsumer(
        bootstrap_servers=bootstrap,
        topics=[topic],
        group_id=run_id,
        handler=handler,
        lag_seconds=0.1,
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        await _until(lambda: lag() == EVENTS)
        line = f'motcua_consumer_lag{{group="{run_id}",partition="0",topic="{topic}"}} {EVENTS}.0'
        assert line in generate_latest().decode()
        assert handled == []
        gate.set()
        await _until(lambda: len(handled) == EVENTS and lag() == 0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()
    assert lag() is None  # a stopped consumer reports nothing
