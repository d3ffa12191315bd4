"""Reading topics and consumer groups the way the tests check them, and waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> None:
    """Poll ``predicate`` until it holds; a liveness bound, not a speed assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def records(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every record of ``topic`` from the beginning, read without a consumer group."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        while batch := await consumer.getmany(timeout_ms=3000):
            for items in batch.values():
                found.extend(items)
    finally:
        await consumer.stop()
    return found


async def group_lag(bootstrap: str, topics: list[str], group: str) -> int:
    """Records of ``topics`` the consumer group has not committed yet."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    probe = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None)
    await admin.start()
    await probe.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        partitions = [
            TopicPartition(t, p) for t in topics for p in probe.partitions_for_topic(t) or ()
        ]
        ends = await probe.end_offsets(partitions)
        return sum(
            end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()
        )
    finally:
        await probe.stop()
        await admin.close()


async def limit_record_size(bootstrap: str, topic: str, max_bytes: int) -> None:
    """Create ``topic`` (one partition) or change it so that the broker refuses any batch of
    records above ``max_bytes``: a broker failing the producer, then recovering."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    config = {"max.message.bytes": str(max_bytes)}
    try:
        if topic in await admin.list_topics():
            resource = ConfigResource(ConfigResourceType.TOPIC, topic, configs=config)
            await admin.alter_configs([resource])
        else:
            await admin.create_topics([NewTopic(topic, 1, 1, topic_configs=config)])
    finally:
        await admin.close()
