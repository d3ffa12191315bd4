"""Rate limits counted in the real PostgreSQL: exact under concurrency, one count for
several gateway instances, an accurate Retry-After, the gateway's own migrated schema,
and the entry point stays open if PostgreSQL is not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager

import httpx
import psycopg
import pytest
from prometheus_client import REGISTRY

from services.gateway.adapters.counters import PgWindowCounter
from services.gateway.adapters.tables import metadata
from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.app import build_app
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import closed_port, echo_app, serving, upstream_urls
from shared.pg.migrate import differences
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    # The counts below must fall in one 60 s window: not in its last few seconds.
    if time.time() % 60 > 50:
        time.sleep(60.5 - time.time() % 60)
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


@asynccontextmanager
async def started(counter: PgWindowCounter) -> AsyncIterator[PgWindowCounter]:
    await counter.start()
    try:
        yield counter
    finally:
        await counter.close()


def test_concurrent_hits_are_counted_exactly(engines: Engines, schema: str) -> None:
    async def burst() -> list[float | None]:
        async with started(PgWindowCounter(engines.postgres_dsn, schema, 60)) as counter:
            return await asyncio.gather(*(counter.hit("login:198.51.100.7", 20) for _ in range(50)))

    results = asyncio.run(burst())
    assert sum(r is None for r in results) == 20
    refused = [r for r in results if r is not None]
    assert len(refused) == 30 and all(0 < r <= 60 for r in refused)


def test_concurrent_hits_on_several_keys_go_as_one_statement_and_count_exactly(
    engines: Engines, schema: str
) -> None:
    keys = {"login:198.51.100.21": 3, "client:198.51.100.21": 100, "lookup:198.51.100.22": 5}

    async def burst() -> tuple[dict[str, int], int]:
        async with started(PgWindowCounter(engines.postgres_dsn, schema, 60)) as counter:
            asked = [key for key in keys for _ in range(10)]
            results = await asyncio.gather(*(counter.hit(key, keys[key]) for key in asked))
            passed = {key: 0 for key in keys}
            for key, result in zip(asked, results, strict=True):
                passed[key] += result is None
            return passed, counter.statements

    passed, statements = asyncio.run(burst())
    assert passed == {
        "login:198.51.100.21": 3,
        "client:198.51.100.21": 10,
        "lookup:198.51.100.22": 5,
    }
    assert statements == 1


def test_two_counters_batching_on_one_key_let_the_limit_through_once(
    engines: Engines, schema: str
) -> None:
    async def burst() -> int:
        first = PgWindowCounter(engines.postgres_dsn, schema, 60)
        second = PgWindowCounter(engines.postgres_dsn, schema, 60)
        async with started(first), started(second):
            results = await asyncio.gather(
                *(c.hit("login:198.51.100.31", 20) for _ in range(30) for c in (first, second))
            )
            return sum(r is None for r in results)

    assert asyncio.run(burst()) == 20


def test_the_window_slides_so_two_bursts_across_a_boundary_pass_the_limit_once(
    engines: Engines, schema: str
) -> None:
    now = [600.0 * 60 + 59]  # the last second of a window, on a clock of our own

    async def burst(count: int) -> int:
        counter = PgWindowCounter(engines.postgres_dsn, schema, 60, clock=lambda: now[0])
        async with started(counter):
            results = [await counter.hit("client:198.51.100.9", 20) for _ in range(count)]
            return sum(r is None for r in results)

    assert asyncio.run(burst(25)) == 20
    now[0] += 1.5  # half a second into the next window: the last one still weighs 59/60
    assert asyncio.run(burst(25)) == 1  # a fixed window would let 20 more through
    now[0] += 29.5  # halfway: half of the previous window's 20 has slid out
    assert asyncio.run(burst(25)) == 9  # 20 - 10 - the 1 already let through
    now[0] += 60  # a full window later only this window's 10 weigh, by half
    assert asyncio.run(burst(25)) == 15


def test_retry_after_is_when_the_next_request_passes(engines: Engines, schema: str) -> None:
    now = [700.0 * 60 + 30]  # halfway through a window, on a clock of our own

    async def scenario() -> list[float | None]:
        counter = PgWindowCounter(engines.postgres_dsn, schema, 60, clock=lambda: now[0])
        async with started(counter):
            seen = [await counter.hit("lookup:198.51.100.11", 10) for _ in range(11)]
            now[0] = 701 * 60 + 9  # 9 s into the next window: the last 10 weigh 8.5
            seen += [await counter.hit("lookup:198.51.100.11", 10) for _ in range(3)]
            now[0] = 701 * 60 + 40  # 40 s in: they weigh 3.3
            seen += [await counter.hit("lookup:198.51.100.11", 10) for _ in range(6)]
            return seen

    results = asyncio.run(scenario())
    # the window is full: nothing passes before the next one, 30 s away
    assert results[:10] == [None] * 10 and results[10] == pytest.approx(30)
    # room for 10 - 8 = 2; the next passes once 10 * (1 - t/60) < 8, at t = 12 s
    assert results[11:13] == [None] * 2 and results[13] == pytest.approx(3)
    # room for 10 - 3 = 7, 2 taken; the next passes once 10 * (1 - t/60) < 3, at 42 s
    assert results[14:19] == [None] * 5 and results[19] == pytest.approx(2)


def test_the_gateway_migrates_its_own_schema(engines: Engines, schema: str) -> None:
    async def start_and_stop() -> None:
        async with started(PgWindowCounter(engines.postgres_dsn, schema, 60)):
            pass

    asyncio.run(start_and_stop())
    assert differences(engines.postgres_dsn, schema, metadata) == []


def test_a_new_window_deletes_the_windows_before_the_last_one(
    engines: Engines, schema: str
) -> None:
    now = [800.0 * 60 + 10]  # window 800, on a clock of our own

    async def hit_and_prune() -> tuple[list[int], float]:
        counter = PgWindowCounter(engines.postgres_dsn, schema, 60, clock=lambda: now[0])
        async with started(counter):
            async with counter.pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO rate_counters (key, window_no, hits)"
                    " SELECT 'client:' || n, 790 + n % 10, 1 FROM generate_series(1, 2500) AS n"
                )
            before = pruned_windows()
            await counter.hit("client:198.51.100.10", 20)  # prunes in the background
            for _ in range(100):
                async with counter.pool.connection() as conn:
                    cur = await conn.execute("SELECT DISTINCT window_no FROM rate_counters")
                    windows = sorted(r["window_no"] for r in await cur.fetchall())
                if len(windows) <= 2:
                    break
                await asyncio.sleep(0.05)
            return windows, before

    windows, before = asyncio.run(hit_and_prune())
    assert windows == [799, 800]  # the last window still weighs in the sliding count
    assert pruned_windows() - before == 2250  # windows 790-798, 250 rows each


def pruned_windows() -> float:
    sample = REGISTRY.get_sample_value("motcua_pg_pruned_rows_total", {"table": "rate_counters"})
    return sample or 0.0


def test_two_gateway_instances_share_one_limit(engines: Engines, schema: str) -> None:
    with ExitStack() as stack:
        upstream = stack.enter_context(serving(echo_app("identity")))
        settings = GatewaySettings(
            **upstream_urls(dict.fromkeys(SERVICES, upstream)),
            postgres_dsn=engines.postgres_dsn,
            postgres_schema=schema,
            rate_login_per_window=10,
            rate_client_per_window=1000,
        )
        first, second = (stack.enter_context(serving(build_app(settings))) for _ in range(2))

        def login(n: int) -> int:
            with httpx.Client(
                base_url=first if n % 2 else second, trust_env=False, timeout=30
            ) as client:
                return client.post("/api/v1/auth/login", json={}).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(login, range(30)))
        assert statuses.count(200) == 10 and statuses.count(429) == 20
        with httpx.Client(base_url=second, trust_env=False) as client:
            refused = client.post("/api/v1/auth/login", json={})
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
            assert refused.json()["type"].endswith("/too-many-requests")
            assert client.get("/api/v1/dossiers").status_code == 200  # other limits apart


def test_without_postgresql_requests_are_let_through(schema: str) -> None:
    with ExitStack() as stack:
        upstream = stack.enter_context(serving(echo_app("identity")))
        settings = GatewaySettings(
            **upstream_urls(dict.fromkeys(SERVICES, upstream)),
            postgres_dsn=f"postgresql://motcua:motcua@127.0.0.1:{closed_port()}/motcua",
            postgres_schema=schema,
            rate_login_per_window=1,
        )
        gateway = stack.enter_context(serving(build_app(settings)))
        with httpx.Client(base_url=gateway, trust_env=False, timeout=30) as client:
            started = time.monotonic()
            statuses = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(5)]
            assert statuses == [200] * 5
            assert time.monotonic() - started < 5  # one timeout, then not asked again
