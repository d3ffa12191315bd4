"""The public lookup's tries in PostgreSQL: two API instances (two pools) count one
code together, concurrent tries are each counted once, and the worker's prune rule
removes the records that no longer count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from services.dossier.adapters.lookup_attempts import PgLookupAttempts
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.bootstrap import prune_rules
from services.dossier.domain.lookup import LookupPolicy
from services.dossier.settings import DossierSettings
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool, open_pool
from shared.pg.prune import prune
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

POLICY = LookupPolicy(attempts=5, lock_seconds=900)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def instances(engines: Engines, run_id: str) -> Iterator[tuple[PgLookupAttempts, ...]]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    pools = [open_pool(engines.postgres_dsn, run_id, max_size=4) for _ in range(2)]
    yield tuple(PgLookupAttempts(pool) for pool in pools)
    for pool in pools:
        pool.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def test_concurrent_tries_on_two_instances_are_each_counted_once(
    instances: tuple[PgLookupAttempts, PgLookupAttempts],
) -> None:
    def one_try(n: int) -> Any:
        return instances[n % 2].count("NB-CODE", NOW, POLICY)

    with ThreadPoolExecutor(8) as threads:
        records = list(threads.map(one_try, range(12)))
    counts = sorted(r.count for r in records if r.locked_until is None)
    assert counts == [1, 2, 3, 4, 5]  # only five were let through to compare
    locked = {r.locked_until for r in records if r.locked_until is not None}
    assert locked == {NOW + POLICY.window}  # seven refused, one lock that later ones keep
    later = instances[1].count("NB-CODE", NOW + timedelta(seconds=60), POLICY)
    assert later.locked_until == NOW + POLICY.window
    instances[0].clear("NB-CODE")
    assert instances[1].count("NB-CODE", NOW + timedelta(seconds=61), POLICY).count == 1


def test_records_that_no_longer_count_are_pruned(
    instances: tuple[PgLookupAttempts, PgLookupAttempts], engines: Engines, run_id: str
) -> None:
    instances[0].count("NB-OLD", NOW - timedelta(hours=1), POLICY)
    instances[0].count("NB-NEW", NOW, POLICY)
    (rule,) = [r for r in prune_rules(DossierSettings()) if r.table == "lookup_attempts"]

    async def run() -> int:
        pool = await open_async_pool(engines.postgres_dsn, run_id, max_size=1)
        try:
            return await prune(pool, rule.table, rule.column, rule.cutoff(NOW))
        finally:
            await pool.close()

    assert asyncio.run(run()) == 1
    with psycopg.connect(engines.postgres_dsn) as conn:
        rows = conn.execute(f'SELECT code FROM "{run_id}".lookup_attempts').fetchall()
    assert rows == [("NB-NEW",)]
