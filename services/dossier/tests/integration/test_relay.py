"""The relay of the notification log on the real engines (PostgreSQL event store, Kafka):
what it returns is what it published; the code index's events move its position but are
never published; a batch the broker refuses is published again, with the same ids; the
store's own NOTIFY wakes an idle relay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from prometheus_client import REGISTRY

from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.tests.unit.builders import AGENCY, BIRTH
from shared.events.envelope import Actor, IntegrationEvent
from shared.eventstore import eventstore_env
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.outbox import NotificationLogSource, store_listener
from shared.relay import Relay
from tests.support.engines import Engines
from tests.support.kafka import limit_record_size, records

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
        log = NotificationLogSource(app, to_integration_event, topic)
        relay = Relay(log, producer, topic, batch_size=4)
        assert await relay.relay_once() == 3  # ids 1-4: created, submitted, index, created
        lag = REGISTRY.get_sample_value("motcua_outbox_lag", {"relay": log.name})
        assert log.position() == 4 and lag == 5
        assert await relay.relay_once() == 3  # ids 5-8
        assert await relay.relay_once() == 0  # id 9 is the last index: nothing to publish
        assert log.position() == 9
        assert REGISTRY.get_sample_value("motcua_outbox_lag", {"relay": log.name}) == 0
        one = NotificationLogSource(app, to_integration_event, f"{topic}.one")
        single = Relay(one, producer, f"{topic}.one", batch_size=1)
        # A batch holding only an index event does not end the round: 6 calls, 1 each.
        assert [await single.relay_once() for _ in range(7)] == [1] * 6 + [0]
        assert one.position() == 9
    finally:
        await producer.stop()
    events = await _published(bootstrap, topic, 6)
    assert [e.type.rsplit(".", 1)[-1] for e in events] == ["created", "submitted"] * 3


async def test_a_refused_batch_keeps_the_position_and_is_published_again_with_its_ids(
    engines: Engines, run_id: str, app: DossierApplication
) -> None:
    _file(app, 2)
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.dossier.events"
    await limit_record_size(bootstrap, topic, 100)  # smaller than any dossier event
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        log = NotificationLogSource(app, to_integration_event, topic)
        relay = Relay(log, producer, topic)
        with pytest.raises(KafkaError):
            await relay.relay_once()
        assert log.position() == 0
        await limit_record_size(bootstrap, topic, 1_000_000)
        assert await relay.relay_once() == 4
        assert log.position() == 6
    finally:
        await producer.stop()
    events = [IntegrationEvent.from_bytes(r.value) for r in await records(bootstrap, topic)]
    stored = app.recorder.select_notifications(None, 10)
    expected = [to_integration_event(app.mapper.to_domain_event(n)) for n in stored]
    assert {e.id for e in events} == {e.id for e in expected if e is not None}
    assert len({e.id for e in events}) == 4


async def test_the_event_store_wakes_its_listener_when_events_commit(
    engines: Engines, app: DossierApplication
) -> None:
    listener = store_listener(app, engines.postgres_dsn)
    try:
        assert await listener.wait(0) == []  # listening, nothing committed yet
        await asyncio.to_thread(_file, app, 1)
        assert await listener.wait(10)  # woken by the commit, not by the timeout
        assert await listener.wait(0) == []  # each commit wakes it once
    finally:
        await listener.close()
