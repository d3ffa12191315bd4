"""Procedure versions are cached by (code, version) in the API process, and a version the
worker writes (published, withdrawn) reaches the cache through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.adapters.procedures import CHANNEL, PgProcedures, forget_published
from services.dossier.adapters.tables import MIGRATIONS, metadata
from shared.events.envelope import Actor, IntegrationEvent
from shared.pg.listen import Listener
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool, open_pool
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
CODE = "1.001193"


def _event(kind: str, version: int, sequence: int, name: str = "") -> IntegrationEvent:
    data: dict[str, Any] = {"code": CODE, "version": version}
    if kind == "procedure_published":
        data.update(
            name=name,
            service_level=4,
            agency_codes=["NB.HOALU"],
            form_schema={"$schema": "https://json-schema.org/draft/2020-12/schema"},
        )
    return IntegrationEvent(
        id=uuid.uuid4(),
        source="/motcua/catalog",
        type=f"vn.motcua.catalog.{kind}",
        subject=CODE,
        time=datetime.now(UTC),
        data=data,
        sequence=sequence,
        actor=Actor(id="catalog", role="system"),
    )


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _until(check: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_versions_are_cached_and_refreshed_by_the_workers_notify(
    engines: Engines, schema: str
) -> None:
    dsn = engines.postgres_dsn
    pool = open_pool(dsn, schema, max_size=2)
    # caches far longer than the test: only a notification can refresh them
    procedures = PgProcedures(pool, cache_seconds=3600, exact_seconds=3600)

    async def scenario() -> None:
        writes = await open_async_pool(dsn, schema, max_size=1)
        incoming = IncomingEvents(writes, dossiers=None)  # type: ignore[arg-type]
        listener = Listener(dsn, [CHANNEL])
        refresh = asyncio.create_task(forget_published(listener, procedures))
        try:
            assert await asyncio.to_thread(procedures.get, CODE) is None  # not cached
            await incoming.handle(_event("procedure_published", 1, 1, "Đăng ký khai sinh"))
            first = await asyncio.to_thread(procedures.get, CODE)
            assert first is not None and first.version == 1
            assert first.form_schema["$schema"].startswith("https://")

            # a change behind the cache's back (no NOTIFY) is not seen: it is cached
            async with writes.connection() as conn:
                await conn.execute(
                    "UPDATE procedures SET data = jsonb_set(data, '{name}', '\"khác\"')"
                )
            cached = await asyncio.to_thread(procedures.get, CODE, 1)
            assert cached is not None and cached.name == "Đăng ký khai sinh"
            latest = await asyncio.to_thread(procedures.get, CODE)
            assert latest is not None and latest.name == "Đăng ký khai sinh"

            await incoming.handle(_event("procedure_published", 2, 2, "Khai sinh (mới)"))
            await asyncio.to_thread(
                _until,
                lambda: (procedures.get(CODE) or first).version == 2,
                "the new version to reach the cache",
            )
            changed = await asyncio.to_thread(procedures.get, CODE, 1)
            assert changed is not None and changed.name == "khác"

            await incoming.handle(_event("procedure_withdrawn", 2, 3))
            await asyncio.to_thread(
                _until, lambda: procedures.get(CODE, 2) is None, "the withdrawal to reach the cache"
            )
            left = await asyncio.to_thread(procedures.get, CODE)
            assert left is not None and left.version == 1
        finally:
            refresh.cancel()
            await asyncio.gather(refresh, return_exceptions=True)
            await listener.close()
            await writes.close()

    try:
        asyncio.run(scenario())
    finally:
        pool.close()
