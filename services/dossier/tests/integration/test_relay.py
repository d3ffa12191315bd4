"""The outbox relay on the real engines (PostgreSQL event store, Kafka): what it returns is
what it published; the code index's events move its position but are never published."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.tests.unit.builders import AGENCY, BIRTH
from shared.events.envelope import Actor, IntegrationEvent
from shared.eventstore import eventstore_env
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.outbox import OutboxRelay
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def app(engines: Engines, run_id: str) -> Iterator[DossierApplication]:
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{run_id}"')
    env = eventstore_env("postgres", postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    procedures = InMemoryProcedures()
    procedures.add(dataclasses.replace(BIRTH, required_documents=()))
    app = DossierApplication(env=env, procedures=procedures)
    yield app
    app.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{run_id}" CASCADE')


def _file(app: DossierApplication, dossiers: int) -> None:
    """Each dossier: created and submitted (published), its code index (not published)."""
    for n in range(dossiers):
        actor = Actor(id=f"citizen-{n}", role="citizen")
        dossier_id = app.start_draft(
            actor, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": f"Trần Văn {n}"}
        )
        app.submit(dossier_id, actor)


async def _published(bootstrap: str, topic: str, count: int) -> list[IntegrationEvent]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        records = []
        for _ in range(50):
            batch = await consumer.getmany(timeout_ms=200)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= count:
                break
        return [IntegrationEvent.from_bytes(r.value) for r in records]
    finally:
        await consumer.stop()


async def test_the_relay_returns_what_it_published_and_passes_over_the_index(
    engines: Engines, run_id: str, app: DossierApplication
) -> None:
    _file(app, 3)  # notifications: created, submitted, index, three times over
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.dossier.events"
    await ensure_topics(bootstrap, [topic, f"{topic}.one"], partitions=1)
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        relay = OutboxRelay(app, to_integration_event, producer, topic, batch_size=4)
        assert await relay.relay_once() == 3  # ids 1-4: created, submitted, index, created
        lag = REGISTRY.get_sample_value("motcua_outbox_lag", {"relay": relay.name})
        assert relay.position() == 4 and lag == 5
        assert await relay.relay_once() == 3  # ids 5-8
        assert await relay.relay_once() == 0  # id 9 is the last index: nothing to publish
        assert relay.position() == 9
        assert REGISTRY.get_sample_value("motcua_outbox_lag", {"relay": relay.name}) == 0
        single = OutboxRelay(app, to_integration_event, producer, f"{topic}.one", batch_size=1)
        # A batch holding only an index event does not end the round: 6 calls, 1 each.
        assert [await single.relay_once() for _ in range(7)] == [1] * 6 + [0]
        assert single.position() == 9
    finally:
        await producer.stop()
    events = await _published(bootstrap, topic, 6)
    assert [e.type.rsplit(".", 1)[-1] for e in events] == ["created", "submitted"] * 3
