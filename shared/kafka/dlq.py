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


async def replay(bootstrap_servers: str, topic: str, group: str = "motcua-dlq-replay",
                 idle_ms: int = 3000) -> int:
    """Replay ``topic``'s DLQ (``topic`` may name either twin); returns how many."""
    dlq = topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX
    target = source_of(dlq)
    consumer = AIOKafkaConsumer(dlq, bootstrap_servers=bootstrap_servers, group_id=group,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    producer = make_producer(bootstrap_servers)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while batch := await consumer.getmany(timeout_ms=idle_ms, max_records=200):
            for tp, records in batch.items():
                for record in records:
                    headers = [(k, v) for k, v in record.headers or ()
                               if not k.startswith("dlq-")]
                    headers.append(("dlq-replayed-from", f"{dlq}/{tp.partition}/"
                                    f"{record.offset}".encode()))
                    await producer.send_and_wait(target, value=record.value, key=record.key,
                                                 headers=headers)
                    replayed += 1
                await consumer.commit({TopicPartition(tp.topic, tp.partition):
                                       records[-1].offset + 1})
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed
