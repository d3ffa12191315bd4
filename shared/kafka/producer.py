"""The one way events reach Kafka: acks=all, idempotent, keyed by subject."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from shared.events.envelope import CONTENT_TYPE, IntegrationEvent


def make_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
    )


def record_headers(event: IntegrationEvent) -> list[tuple[str, bytes]]:
    return [
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_id", str(event.id).encode()),
        ("ce_type", event.type.encode()),
    ]


async def publish(producer: AIOKafkaProducer, topic: str, event: IntegrationEvent) -> None:
    """Send one event and wait until the broker acknowledged it."""
    await producer.send_and_wait(
        topic,
        value=event.to_bytes(),
        key=event.subject.encode(),
        headers=record_headers(event),
    )
