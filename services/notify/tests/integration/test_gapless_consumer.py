"""notify's faust consumer on the real broker: records the Kafka client skipped are
fetched again, in order, and the group never commits past a record no agent saw.

The skip is made the way faust's fetch loop makes it (a batch dropped while the
client's position has moved on): the client is sought forward behind faust's back.
faust's own consumer marks the skipped offsets as a gap and commits past them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaProducer

from services.notify.streams.consumer import GaplessConsumer
from shared.kafka.topics import ensure_topics
from tests.support.engines import Engines
from tests.support.kafka import group_lag

pytestmark = pytest.mark.integration


async def _produce(bootstrap: str, topic: str, values: range) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=str(value).encode(), partition=0)
    finally:
        await producer.stop()


async def _until(predicate: object, what: str, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def _scenario(bootstrap: str, run_id: str, datadir: Path) -> list[int]:
    topic = f"{run_id}.gapless"
    await ensure_topics(bootstrap, [topic], partitions=1)
    app = faust.App(run_id, broker=f"kafka://{bootstrap}", store="memory://",
                    web_enabled=False, consumer_auto_offset_reset="earliest",
                    value_serializer="raw", topic_partitions=1, datadir=str(datadir),
                    broker_commit_interval=0.5)
    app.transport.Consumer = GaplessConsumer
    seen: list[int] = []

    async def collect(stream: faust.StreamT) -> None:
        async for event in stream.events():
            seen.append(int(event.value))

    app.agent(app.topic(topic, value_serializer="raw"), name="collect")(collect)
    await app.start()
    try:
        await _until(lambda: app.consumer.assignment(), "the partition to be assigned")
        await _produce(bootstrap, topic, range(0, 5))
        await _until(lambda: len(seen) == 5, "the first records")
        # The client moves past offsets 5..7 without faust handing them to the agent.
        app.consumer._thread.seek(faust.types.TP(topic, 0), 8)
        await _produce(bootstrap, topic, range(5, 15))
        await _until(lambda: len(seen) >= 15, "every record")
        lag = -1
        for _ in range(100):  # a liveness bound on the commit, not a speed assertion
            lag = await group_lag(bootstrap, [topic], run_id)
            if lag == 0:
                break
            await asyncio.sleep(0.3)
        assert lag == 0, f"{lag} records left uncommitted"
    finally:
        await app.stop()
    return seen


def test_records_the_client_skipped_are_fetched_again_and_committed_in_order(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    seen = asyncio.run(_scenario(bootstrap, run_id, tmp_path / "faust"))
    assert seen == list(range(15))
