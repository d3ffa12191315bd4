"""Replay a DLQ: republish its parked messages to the topic they came from.

A consumer group (``motcua-dlq-replay`` by default) remembers how far the DLQ was
replayed, so running the command twice does not replay twice. Consumers are
idempotent by event id, so a message replayed after it was handled is harmless.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka.producer import make_producer

DLQ_SUFFIX = ".dlq"


def source_of(dlq: str) -> str:
    return dlq.removesuffix(DLQ_SUFFIX)


async def _partitions(bootstrap_servers: str, topic: str) -> set[int]:
    probe = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap_servers, group_id=None)
    await probe.start()
    try:
        return probe.partitions_for_topic(topic) or set()
    finally:
        await probe.stop()


async def replay(
    bootstrap_servers: str, topic: str, group: str = "motcua-dlq-replay", idle_ms: int = 3000
) -> int:
    """Replay ``topic``'s DLQ (``topic`` may name either twin); returns how many."""
    dlq = topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX
    target = source_of(dlq)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = make_producer(bootstrap_servers)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        partitions = [TopicPartition(dlq, p) for p in await _partitions(bootstrap_servers, dlq)]
        consumer.assign(partitions)
        # Only what was parked before this run: a message that fails again is parked
        # again behind this mark, and replaying it in the same run would never end.
        ends = await consumer.end_offsets(partitions)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=idle_ms, max_records=200)
            for tp, records in batch.items():
                records = [r for r in records if r.offset < ends[tp]]
                if not records:
                    consumer.pause(tp)
                    continue
                for record in records:
                    headers = [(k, v) for k, v in record.headers or () if not k.startswith("dlq-")]
                    headers.append(
                        ("dlq-replayed-from", f"{dlq}/{tp.partition}/{record.offset}".encode())
                    )
                    await producer.send_and_wait(
                        target, value=record.value, key=record.key, headers=headers
                    )
                    replayed += 1
                await consumer.commit(
                    {TopicPartition(tp.topic, tp.partition): records[-1].offset + 1}
                )
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed
