"""The PostgreSQL foundation on the real engines: migrations to head and checked against
the code's metadata, the outbox published in order and removed once acknowledged,
idempotent effects, version-guarded upserts and LISTEN/NOTIFY wake-ups."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from psycopg_pool import AsyncConnectionPool

from shared.events.envelope import Actor, IntegrationEvent
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.calendar import CalendarOverrides, add_calendar_table
from shared.pg.effects import first_time, upsert_versioned
from shared.pg.listen import Listener, notify
from shared.pg.migrate import differences, migrate
from shared.pg.outbox import CHANNEL, OutboxTableSource, record_events
from shared.pg.pools import open_async_pool
from shared.pg.tables import add_common_tables
from shared.relay import Relay
from tests.support.engines import Engines
from tests.support.kafka import limit_record_size, records

pytestmark = pytest.mark.integration
MIGRATIONS = Path(__file__).parent / "pg_migrations"


def metadata() -> sa.MetaData:
    declared = sa.MetaData()
    add_common_tables(declared)
    add_calendar_table(declared)
    sa.Table(
        "notes",
        declared,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
    )
    return declared


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


@pytest.fixture
async def pool(engines: Engines, schema: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    await asyncio.to_thread(migrate, engines.postgres_dsn, schema, MIGRATIONS, metadata())
    opened = await open_async_pool(engines.postgres_dsn, schema)
    yield opened
    await opened.close()


def _event(subject: str, sequence: int) -> IntegrationEvent:
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, sequence),
        source="/motcua/catalog",
        type="vn.motcua.catalog.procedure_published",
        subject=subject,
        time=datetime.now(UTC),
        sequence=sequence,
        actor=Actor(id="admin", role="admin"),
        data={
            "form_schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "Tờ khai đăng ký khai sinh",
            }
        },
    )


def test_an_empty_schema_migrates_to_head_which_matches_the_code(
    engines: Engines, schema: str
) -> None:
    migrate(engines.postgres_dsn, schema, MIGRATIONS, metadata())
    migrate(engines.postgres_dsn, schema, MIGRATIONS, metadata())  # at head: nothing to do
    assert differences(engines.postgres_dsn, schema, metadata()) == []
    expects_more = metadata()
    sa.Table("missing", expects_more, sa.Column("id", sa.Integer, primary_key=True))
    assert [d[0] for d in differences(engines.postgres_dsn, schema, expects_more)] == ["add_table"]


async def test_outbox_events_are_published_in_order_then_removed(
    engines: Engines, pool: AsyncConnectionPool[Any], run_id: str
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.catalog.events"
    await ensure_topics(bootstrap, [topic], partitions=1)
    subject = str(uuid.uuid4())
    for sequence in (1, 2, 3):
        async with pool.connection() as conn, conn.transaction():
            await upsert_versioned(conn, "notes", "id", subject, sequence, {"title": "Hồ sơ"})
            assert await record_events(conn, [_event(subject, sequence)]) == 1
    async with pool.connection() as conn:  # a change rolled back leaves no event behind
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await record_events(conn, [_event(subject, 4)])
                raise RuntimeError("the change failed")
    producer = make_producer(bootstrap)
    await producer.start()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    try:
        relay = Relay(OutboxTableSource(pool), producer, topic)
        assert await relay.relay_once() == 3
        assert await relay.relay_once() == 0
        async with pool.connection() as conn:
            assert await (await conn.execute("SELECT count(*) AS n FROM outbox")).fetchone() == {
                "n": 0
            }
        await consumer.start()
        batch = await consumer.getmany(timeout_ms=5000)
        received = [IntegrationEvent.from_bytes(r.value) for rs in batch.values() for r in rs]
        assert [e.sequence for e in received] == [1, 2, 3]
        assert received[0].data["form_schema"]["title"] == "Tờ khai đăng ký khai sinh"
    finally:
        await consumer.stop()
        await producer.stop()


async def test_a_second_relay_publishes_nothing_while_the_first_holds_a_batch(
    pool: AsyncConnectionPool[Any], engines: Engines, run_id: str
) -> None:
    topic = f"{run_id}.motcua.catalog.events"
    await ensure_topics(engines.kafka_bootstrap_servers, [topic], partitions=1)
    async with pool.connection() as conn, conn.transaction():
        await record_events(conn, [_event(str(uuid.uuid4()), 1)])
    producer = make_producer(engines.kafka_bootstrap_servers)
    await producer.start()
    second = Relay(OutboxTableSource(pool), producer, topic)
    try:
        async with OutboxTableSource(pool).batch(10) as first:  # the first relay publishing
            assert len(first.events) == 1
            assert await second.relay_once() == 0
        assert await _pending(pool) == 0  # the first marked its batch done
    finally:
        await producer.stop()


async def test_a_refusing_broker_is_retried_and_no_event_is_skipped(
    pool: AsyncConnectionPool[Any], engines: Engines, run_id: str
) -> None:
    """The broker refuses the batch holding the large event until its limit is raised; the
    running relay retries, and every event arrives with its stable id (some maybe twice)."""
    bootstrap = engines.kafka_bootstrap_servers
    topic = f"{run_id}.motcua.catalog.events"
    await limit_record_size(bootstrap, topic, 2_000)
    subject = str(uuid.uuid4())
    large = _event(subject, 2).model_copy(update={"data": {"note": "Hồ sơ " * 1_000}})
    async with pool.connection() as conn, conn.transaction():
        await record_events(conn, [_event(subject, 1), large, _event(subject, 3)])
    producer = make_producer(bootstrap)
    await producer.start()
    relay = asyncio.create_task(Relay(OutboxTableSource(pool), producer, topic).run())
    try:
        await asyncio.sleep(1.0)
        assert await _pending(pool) == 3  # refused: nothing marked done
        await limit_record_size(bootstrap, topic, 1_000_000)
        for _ in range(100):
            if not await _pending(pool):
                break
            await asyncio.sleep(0.1)
        assert await _pending(pool) == 0
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await producer.stop()
    received = [IntegrationEvent.from_bytes(r.value) for r in await records(bootstrap, topic)]
    assert sorted({(e.sequence, e.id) for e in received}) == [
        (n, IntegrationEvent.stable_id(subject, n)) for n in (1, 2, 3)
    ]


async def _pending(pool: AsyncConnectionPool[Any]) -> int:
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM outbox")).fetchone()
    return int(row["n"]) if row else 0


async def test_an_effect_and_its_record_commit_together_or_not_at_all(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                assert await first_time(conn, "notify", "e1")
                raise RuntimeError("effect failed")
        async with conn.transaction():
            assert await first_time(conn, "notify", "e1")  # the failed try left no record
        async with conn.transaction():
            assert not await first_time(conn, "notify", "e1")
            assert await first_time(conn, "dossier-worker", "e1")  # another consumer's


async def test_versioned_upserts_skip_old_and_repeated_versions(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        assert await upsert_versioned(conn, "notes", "id", "n1", 2, {"title": "hai"})
        assert not await upsert_versioned(conn, "notes", "id", "n1", 1, {"title": "một"})
        assert not await upsert_versioned(conn, "notes", "id", "n1", 2, {"title": "lại"})
        assert await upsert_versioned(conn, "notes", "id", "n1", 3, {"title": "ba"})
        row = await (await conn.execute("SELECT version, title FROM notes")).fetchone()
    assert row == {"version": 3, "title": "ba"}


async def test_a_listener_wakes_on_commit_and_times_out_otherwise(
    engines: Engines, pool: AsyncConnectionPool[Any]
) -> None:
    listener = Listener(engines.postgres_dsn, [CHANNEL])
    try:
        assert await listener.wait(0.2) == []
        async with pool.connection() as conn, conn.transaction():
            await notify(conn, CHANNEL, "a")
            await notify(conn, CHANNEL, "b")
        assert await listener.wait(5.0) == ["a", "b"]
    finally:
        await listener.close()


async def test_calendar_overrides_follow_the_newest_calendar_event(
    pool: AsyncConnectionPool[Any],
) -> None:
    overrides = CalendarOverrides(pool)

    def updated(sequence: int, days_off: list[str]) -> IntegrationEvent:
        return IntegrationEvent(
            id=IntegrationEvent.stable_id("calendar-2027", sequence),
            source="/motcua/catalog",
            type="vn.motcua.catalog.calendar_updated",
            subject="calendar-2027",
            time=datetime.now(UTC),
            sequence=sequence,
            actor=Actor(id="admin", role="admin"),
            data={"year": 2027, "days_off": days_off, "working_days": []},
        )

    await overrides(updated(2, ["2027-04-30", "2027-05-03"]))
    await overrides(updated(1, ["2027-04-30"]))  # older, arrived late: ignored
    calendar = await overrides.calendar()
    assert not calendar.is_working_day(date(2027, 5, 3))
    assert calendar.is_working_day(date(2027, 5, 4))
