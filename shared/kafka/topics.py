"""Topic creation at start-up: each context's events topic and its DLQ twin."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events.topics import dlq_topic

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str],
    partitions: int = 3,
    replication_factor: int = 1,
) -> None:
    """Create ``topics`` and their DLQ twins if missing; harmless when they exist."""
    wanted = sorted({*topics, *(dlq_topic(t) for t in topics)})
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        with suppress(TopicAlreadyExistsError):  # another instance created them first
            await admin.create_topics(
                [NewTopic(t, partitions, replication_factor) for t in missing]
            )
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()
