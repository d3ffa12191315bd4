"""identity's pruning on the real PostgreSQL: expired sessions, throttle counters whose
window ended hours ago and attempt logs nothing in which weighs any more go; live
sessions (revoked ones too, until they expire), current counters and logs stay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY
from psycopg_pool import AsyncConnectionPool

from services.identity.adapters.store import AccountStore
from services.identity.bootstrap import open_store, prune_rules
from services.identity.domain.limits import Window
from services.identity.settings import IdentitySettings
from shared.pg.prune import prune
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
async def pool(engines: Engines, run_id: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    settings = IdentitySettings(postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    opened = await open_store(settings)
    try:
        yield opened
    finally:
        await opened.close()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


async def session(store: AccountStore, expires_at: datetime) -> str:
    session_id = str(uuid.uuid4())
    created = expires_at - timedelta(days=14)
    row = {"id": session_id, "account_id": str(uuid.uuid4()), "token_hash": "h"}
    await store.open_session({**row, "created_at": created, "expires_at": expires_at}, created)
    return session_id


async def ids(pool: AsyncConnectionPool[Any], query: str) -> set[str]:
    async with pool.connection() as conn:
        return {next(iter(r.values())) for r in await (await conn.execute(query)).fetchall()}


def pruned(table: str) -> float:
    return REGISTRY.get_sample_value("motcua_pg_pruned_rows_total", {"table": table}) or 0.0


async def test_ended_sessions_and_old_throttle_windows_go(
    pool: AsyncConnectionPool[Any],
) -> None:
    store = AccountStore(pool)
    expired = {await session(store, NOW - timedelta(minutes=m)) for m in (1, 600, 30000)}
    live = await session(store, NOW + timedelta(days=3))
    revoked = await session(store, NOW + timedelta(days=1))
    await store.revoke_sessions(NOW, session_id=revoked)
    # the address window is 15 min; login counters are kept 3 h past it
    for key, started in {
        "login-ip:203.0.113.1": NOW - timedelta(hours=5),
        "register-ip:203.0.113.2": NOW - timedelta(hours=4, minutes=1),  # an old form limit
        "login-ip:203.0.113.4": NOW - timedelta(hours=3, minutes=10),
        "login-ip:203.0.113.3": NOW - timedelta(minutes=5),
    }.items():
        await store.count_in_window(key, started, 900)
    # a form limit's log goes once its newest attempt left the window (1 h here)
    hourly = Window(5, 3600)
    await store.take_attempt({"forgot:email:old@example.vn": hourly}, NOW - timedelta(hours=2))
    await store.take_attempt({"forgot:email:new@example.vn": hourly}, NOW - timedelta(minutes=59))
    before = {t: pruned(t) for t in ("sessions", "throttle", "attempt_logs")}

    settings = IdentitySettings(throttle_keep_hours=3)
    for rule in prune_rules(settings):
        await prune(pool, rule.table, rule.column, rule.cutoff(NOW))

    assert await ids(pool, "SELECT id FROM sessions") == {live, revoked}
    assert await ids(pool, "SELECT key FROM throttle") == {
        "login-ip:203.0.113.4",
        "login-ip:203.0.113.3",
    }
    assert await ids(pool, "SELECT key FROM attempt_logs") == {"forgot:email:new@example.vn"}
    assert pruned("sessions") - before["sessions"] == len(expired)
    assert pruned("throttle") - before["throttle"] == 2
    assert pruned("attempt_logs") - before["attempt_logs"] == 1
