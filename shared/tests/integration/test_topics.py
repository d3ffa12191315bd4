"""Topic creation on the real broker: with the configured replication factor, once; a
factor the cluster cannot meet stops the start with the setting's name, instead of a
service running on topics that were never made."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.events.topics import dlq_topic
from shared.kafka.topics import ensure_topics
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


async def _replicas(bootstrap: str, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {t["topic"]: len(t["partitions"][0]["replicas"]) for t in described}


async def test_topics_and_their_dlq_are_made_with_the_replication_factor_once(
    engines: Engines, run_id: str
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.catalog.events"
    await ensure_topics(bootstrap, [topic], partitions=1, replication_factor=1)
    await ensure_topics(bootstrap, [topic], partitions=1, replication_factor=1)  # exists: fine
    assert await _replicas(bootstrap, [topic, dlq_topic(topic)]) == {
        topic: 1,
        dlq_topic(topic): 1,
    }


async def test_a_factor_above_the_broker_count_is_refused_naming_the_setting(
    engines: Engines, run_id: str
) -> None:
    topic = f"{run_id}.motcua.identity.events"
    with pytest.raises(RuntimeError, match="MOTCUA_KAFKA_REPLICATION_FACTOR") as refused:
        await ensure_topics(engines.kafka_bootstrap_servers, [topic], replication_factor=9)
    assert topic in str(refused.value)
