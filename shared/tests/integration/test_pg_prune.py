"""Pruning on the real PostgreSQL: rows past the cutoff go and the others stay, a backlog
goes in several short statements, the metric counts every row, and the periodic loop
keeps going past a rule that fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY
from psycopg_pool import AsyncConnectionPool

from shared.pg.pools import open_async_pool
from shared.pg.prune import Prune, processed_events, prune, prune_forever
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

TABLES = """
CREATE TABLE processed_events (
    consumer text, event_id text, processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id));
CREATE INDEX processed_events_by_time ON processed_events (processed_at);
CREATE TABLE deletes (n bigint);
CREATE FUNCTION count_delete() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN INSERT INTO deletes VALUES ((SELECT count(*) FROM gone)); RETURN NULL; END $$;
CREATE TRIGGER one_row_per_delete AFTER DELETE ON processed_events
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION count_delete();
"""


@pytest.fixture
async def pool(engines: Engines, run_id: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{run_id}"')
        conn.execute(f'SET search_path = "{run_id}"')
        conn.execute(TABLES)
    opened = await open_async_pool(engines.postgres_dsn, run_id)
    try:
        yield opened
    finally:
        await opened.close()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


async def processed(pool: AsyncConnectionPool[Any], count: int, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO processed_events (consumer, event_id, processed_at)"
            " SELECT 'notify-dossier', %s || n, %s FROM generate_series(1, %s) AS n",
            (f"{days_ago}-", at, count),
        )


async def column(pool: AsyncConnectionPool[Any], query: str) -> list[Any]:
    async with pool.connection() as conn:
        return [next(iter(row.values())) for row in await (await conn.execute(query)).fetchall()]


def pruned_total(table: str) -> float:
    return REGISTRY.get_sample_value("motcua_pg_pruned_rows_total", {"table": table}) or 0.0


async def test_old_rows_go_in_batches_recent_rows_stay_and_the_metric_counts_them(
    pool: AsyncConnectionPool[Any],
) -> None:
    await processed(pool, 2345, days_ago=40)
    await processed(pool, 7, days_ago=31)
    await processed(pool, 11, days_ago=29)  # within the 30 days
    await processed(pool, 3, days_ago=0)
    before = pruned_total("processed_events")

    rule = processed_events(timedelta(days=30))
    assert await prune(pool, rule.table, rule.column, rule.cutoff(NOW), batch=1000) == 2352

    left = await column(pool, "SELECT processed_at FROM processed_events")
    assert len(left) == 14 and min(left) >= NOW - timedelta(days=30)
    assert await column(pool, "SELECT n FROM deletes") == [1000, 1000, 352]
    assert pruned_total("processed_events") - before == 2352
    assert await prune(pool, rule.table, rule.column, rule.cutoff(NOW)) == 0  # nothing left


async def test_a_backlog_that_fills_its_last_batch_ends_with_an_empty_one(
    pool: AsyncConnectionPool[Any],
) -> None:
    await processed(pool, 20, days_ago=40)
    assert await prune(pool, "processed_events", "processed_at", NOW, batch=10) == 20
    assert await column(pool, "SELECT n FROM deletes") == [10, 10, 0]


async def test_the_periodic_loop_runs_every_rule_and_outlives_a_failing_one(
    pool: AsyncConnectionPool[Any],
) -> None:
    rules = [
        Prune("no_such_table", "processed_at", lambda now: now),
        processed_events(timedelta(days=30)),
    ]
    loop = asyncio.create_task(prune_forever(pool, rules, every_seconds=0.05, clock=lambda: NOW))
    try:
        await processed(pool, 5, days_ago=40)
        await processed(pool, 2, days_ago=1)
        for _ in range(100):
            if len(await column(pool, "SELECT event_id FROM processed_events")) == 2:
                break
            await asyncio.sleep(0.05)
        await processed(pool, 4, days_ago=35)  # a later round takes these too
        for _ in range(100):
            if len(await column(pool, "SELECT event_id FROM processed_events")) == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(await column(pool, "SELECT event_id FROM processed_events")) == [
            "1-1",
            "1-2",
        ]
        assert not loop.done()
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
