"""Topic creation at start-up: each context's events topic and its DLQ twin."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import NoError, TopicAlreadyExistsError

from shared.events.topics import dlq_topic

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str],
    partitions: int = 3,
    replication_factor: int = 1,
) -> None:
    """Create ``topics`` and their DLQ twins if missing; harmless when they exist. The
    broker answers a refusal (a replication factor above its broker count) rather than
    raising it: raised here, so a service does not run on topics that are not there."""
    wanted = sorted({*topics, *(dlq_topic(t) for t in topics)})
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        response = await admin.create_topics(
            [NewTopic(t, partitions, replication_factor) for t in missing]
        )
        # another instance may have created some first: that one is fine
        fine = {NoError.errno, TopicAlreadyExistsError.errno}
        refused = [(t, message) for t, code, *message in response.topic_errors if code not in fine]
        if refused:
            reasons = "; ".join(f"{t}: {' '.join(map(str, m))}" for t, m in refused)
            raise RuntimeError(
                f"Kafka refused to create topics with replication factor {replication_factor} "
                f"(MOTCUA_KAFKA_REPLICATION_FACTOR): {reasons}"
            )
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()
