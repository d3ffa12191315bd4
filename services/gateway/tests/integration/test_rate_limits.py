"""Rate limits counted in the real MongoDB-protocol server: exact under concurrency, one
count for several gateway instances, and the entry point stays open if MongoDB is not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest
from pymongo import MongoClient

from services.gateway.counters import MongoWindowCounter, mongo_counter
from services.gateway.main import build_app
from services.gateway.routing import SERVICES
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import closed_port, echo_app, serving
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def database(engines: Engines, run_id: str) -> Iterator[str]:
    # The counts below must fall in one 60 s window: not in its last few seconds.
    if time.time() % 60 > 50:
        time.sleep(60.5 - time.time() % 60)
    yield f"{run_id}_gateway"
    with MongoClient(engines.mongo_url) as mongo:
        mongo.drop_database(f"{run_id}_gateway")


def test_concurrent_hits_are_counted_exactly(engines: Engines, database: str) -> None:
    async def burst() -> list[float | None]:
        counter, mongo = mongo_counter(engines.mongo_url, database, 60)
        try:
            return await asyncio.gather(*(counter.hit("login:198.51.100.7", 20)
                                          for _ in range(50)))
        finally:
            await mongo.close()

    results = asyncio.run(burst())
    assert sum(r is None for r in results) == 20  # FerretDB's $inc would let ~3x through
    refused = [r for r in results if r is not None]
    assert len(refused) == 30 and all(0 < r <= 60 for r in refused)


def test_the_window_slides_so_two_bursts_across_a_boundary_pass_the_limit_once(
    engines: Engines, database: str
) -> None:
    now = [600.0 * 60 + 59]  # the last second of a window, on a clock of our own

    async def burst(count: int) -> int:
        counter, mongo = mongo_counter(engines.mongo_url, database, 60)
        counter = MongoWindowCounter(counter.slots, 60, clock=lambda: now[0])
        try:
            results = [await counter.hit("client:198.51.100.9", 20) for _ in range(count)]
            return sum(r is None for r in results)
        finally:
            await mongo.close()

    assert asyncio.run(burst(25)) == 20
    now[0] += 1.5  # half a second into the next window: the last one still weighs 59/60
    assert asyncio.run(burst(25)) == 1  # a fixed window would let 20 more through
    now[0] += 29.5  # halfway: half of the previous window's 20 has slid out
    assert asyncio.run(burst(25)) == 9  # 20 - 10 - the 1 already let through
    now[0] += 60  # a full window later only this window's 10 weigh, by half
    assert asyncio.run(burst(25)) == 15


def test_two_gateway_instances_share_one_limit(engines: Engines, database: str) -> None:
    with ExitStack() as stack:
        upstream = stack.enter_context(serving(echo_app("identity")))
        settings = GatewaySettings(
            **{f"{name}_url": upstream for name in SERVICES},
            mongo_url=engines.mongo_url, mongo_database=database,
            rate_login_per_window=10, rate_client_per_window=1000)
        first, second = (stack.enter_context(serving(build_app(settings))) for _ in range(2))

        def login(n: int) -> int:
            with httpx.Client(base_url=first if n % 2 else second, trust_env=False,
                              timeout=30) as client:
                return client.post("/api/v1/auth/login", json={}).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(login, range(30)))
        assert statuses.count(200) == 10 and statuses.count(429) == 20
        with httpx.Client(base_url=second, trust_env=False) as client:
            refused = client.post("/api/v1/auth/login", json={})
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
            assert refused.json()["type"].endswith("/too-many-requests")
            assert client.get("/api/v1/dossiers").status_code == 200  # other limits apart


def test_without_mongodb_requests_are_let_through(database: str) -> None:
    with ExitStack() as stack:
        upstream = stack.enter_context(serving(echo_app("identity")))
        settings = GatewaySettings(
            **{f"{name}_url": upstream for name in SERVICES},
            mongo_url=f"mongodb://127.0.0.1:{closed_port()}/", mongo_database=database,
            rate_login_per_window=1)
        gateway = stack.enter_context(serving(build_app(settings)))
        with httpx.Client(base_url=gateway, trust_env=False, timeout=30) as client:
            started = time.monotonic()
            statuses = [client.post("/api/v1/auth/login", json={}).status_code
                        for _ in range(5)]
            assert statuses == [200] * 5
            assert time.monotonic() - started < 5  # one timeout, then not asked again
