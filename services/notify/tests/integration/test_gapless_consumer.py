"""notify's faust consumer on the real broker: records the Kafka client skipped are
fetched again, in order, and the group never commits past a record no agent saw.

The skip is made the way faust's fetch loop makes it (a batch dropped while the
client's position has moved on): the client is sought forward behind faust's back.
faust's own consumer marks the skipped offsets as a gap and commits past them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaProducer

from services.notify.entrypoints.streams import consumer
from services.notify.entrypoints.streams.consumer import GaplessConsumer, consume_gapless
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


class Harness:
    """One faust app with notify's consumer and one agent that records what it sees."""

    def __init__(self, bootstrap: str, run_id: str, datadir: Path) -> None:
        self.bootstrap, self.group, self.topic = bootstrap, run_id, f"{run_id}.gapless"
        self.app = faust.App(
            run_id,
            broker=f"kafka://{bootstrap}",
            store="memory://",
            web_enabled=False,
            consumer_auto_offset_reset="earliest",
            value_serializer="raw",
            topic_partitions=1,
            datadir=str(datadir),
            broker_commit_interval=0.5,
        )
        consume_gapless(self.app)
        self.seen: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()

        async def collect(stream: faust.StreamT) -> None:
            async for event in stream.events():
                await self.gate.wait()
                self.seen.append(int(event.value))

        self.app.agent(self.app.topic(self.topic, value_serializer="raw"), name="collect")(collect)

    @property
    def consumer(self) -> GaplessConsumer:
        consumer = self.app.consumer
        assert isinstance(consumer, GaplessConsumer)
        return consumer

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, [self.topic], partitions=1)
        await self.app.start()
        await _until(lambda: self.app.consumer.assignment(), "the partition to be assigned")

    async def produce(self, values: range) -> None:
        await _produce(self.bootstrap, self.topic, values)

    async def all_committed(self) -> None:
        lag = -1
        for _ in range(100):  # a liveness bound on the commit, not a speed assertion
            lag = await group_lag(self.bootstrap, [self.topic], self.group)
            if lag == 0:
                return
            await asyncio.sleep(0.3)
        raise AssertionError(f"{lag} records left uncommitted")


async def _skipped_by_the_client(harness: Harness) -> None:
    await harness.produce(range(0, 5))
    await _until(lambda: len(harness.seen) == 5, "the first records")
    # The client moves past offsets 5..7 without faust handing them to the agent.
    harness.consumer._thread.seek(faust.types.TP(harness.topic, 0), 8)
    await harness.produce(range(5, 15))


async def _dropped_from_the_queue(harness: Harness) -> None:
    harness.gate.clear()  # the agent holds its first record; the rest wait in its queue
    await harness.produce(range(0, 15))
    await _until(
        lambda: harness.consumer._next_offset.get(faust.types.TP(harness.topic, 0)) == 15,
        "every record handed to the agent's queue",
    )
    harness.app.flow_control.resume()  # what faust does after a rebalance: queues emptied
    harness.gate.set()


def _run(
    engines: Engines, run_id: str, datadir: Path, scenario: Callable[[Harness], Awaitable[None]]
) -> list[int]:
    async def main() -> list[int]:
        harness = Harness(engines.kafka_bootstrap_servers, run_id, datadir)
        await harness.start()
        try:
            await scenario(harness)
            await _until(lambda: len(set(harness.seen)) >= 15, "every record")
            await harness.all_committed()
        finally:
            await harness.app.stop()
        return harness.seen

    return asyncio.run(main())


def test_records_the_client_skipped_are_fetched_again_and_committed_in_order(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    assert _run(engines, run_id, tmp_path, _skipped_by_the_client) == list(range(15))


def test_records_faust_dropped_from_the_agents_queue_are_fetched_again(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    seen = _run(engines, run_id, tmp_path, _dropped_from_the_queue)
    assert sorted(set(seen)) == list(range(15))
    assert seen == sorted(seen)  # in order: redelivered from the committed offset


async def _lost_some_other_way(harness: Harness) -> None:
    harness.gate.clear()
    await harness.produce(range(0, 15))
    await _until(
        lambda: harness.consumer._next_offset.get(faust.types.TP(harness.topic, 0)) == 15,
        "every record handed to the agent's queue",
    )
    for queue in harness.app.flow_control._queues:  # behind the consumer's back
        queue.clear()
    harness.gate.set()


def test_a_partition_stalled_at_its_committed_offset_is_fetched_again(
    engines: Engines, run_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumer, "STALL_SECONDS", 1.0)  # checked every 5 s
    seen = _run(engines, run_id, tmp_path, _lost_some_other_way)
    assert sorted(set(seen)) == list(range(15))
