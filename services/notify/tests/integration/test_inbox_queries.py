"""The inbox on PostgreSQL: keyset pages newest first, the unread count, the indexes the
queries use, and the live-stream hub woken by a committed write for its user only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool

from services.notify.adapters import store
from services.notify.adapters.live import InboxHub
from services.notify.adapters.tables import metadata
from services.notify.application.inbox import Inbox
from services.notify.application.notices import entry_row
from services.notify.bootstrap import MIGRATIONS
from services.notify.entrypoints.http import notifications
from shared.http.app import create_app
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from tests.support import tokens
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
AT = datetime(2026, 11, 23, 1, tzinfo=UTC)


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


@pytest.fixture
async def pool(engines: Engines, schema: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    opened = await open_async_pool(engines.postgres_dsn, schema)
    yield opened
    await opened.close()


def _rows(user: str, count: int) -> list[dict[str, Any]]:
    return [
        entry_row(
            f"{user}-e{i}",
            f"{user}-e{i}",
            user,
            "dossier_created",
            f"Thông báo {i}",
            "vn.motcua.dossier.created",
            "d1",
            "C1",
            AT + timedelta(minutes=i // 2),
            "none",
        )  # pairs share a time
        for i in range(count)
    ]


def test_pages_follow_the_keyset_and_the_unread_count_is_per_user(
    engines: Engines, schema: str
) -> None:
    async def seed() -> None:
        pool = await open_async_pool(engines.postgres_dsn, schema)
        async with pool.connection() as conn:
            await store.insert_entries(
                conn,
                _rows("u1", 5) + _rows("u2", 2),
                store.inbox_channel(schema),
                store.email_channel(schema),
            )
            await conn.execute("UPDATE notifications SET read = true WHERE id = 'u1-e0'")
        await pool.close()

    asyncio.run(seed())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await open_async_pool(engines.postgres_dsn, schema)
        app.state.inbox = Inbox(store.PgInbox(pool), InboxHub(engines.postgres_dsn, "unused"))
        yield
        await pool.close()

    app: FastAPI = create_app("notify", lifespan=lifespan)
    app.state.verifier = tokens.verifier()
    app.include_router(notifications.router)

    caller = tokens.caller("u1")
    with TestClient(app) as client:
        ids: list[str] = []
        cursor = None
        for _ in range(3):
            page = client.get(
                "/api/v1/notifications",
                headers=caller,
                params={"limit": 2, **({"before": cursor} if cursor else {})},
            ).json()
            assert page["unread"] == 4
            ids += [i["id"] for i in page["items"]]
            cursor = page["next"]
        assert cursor is None
        assert ids == ["u1-e4", "u1-e3", "u1-e2", "u1-e1", "u1-e0"]
        unread = client.get(
            "/api/v1/notifications", headers=caller, params={"unread": "true"}
        ).json()
        assert [i["id"] for i in unread["items"]] == ["u1-e4", "u1-e3", "u1-e2", "u1-e1"]
        nobody = client.get("/api/v1/notifications", headers=tokens.caller("u3")).json()
        assert nobody == {"items": [], "unread": 0, "next": None}
        bad = client.get("/api/v1/notifications", headers=caller, params={"before": "%%"})
        assert bad.status_code == 422 and "phân trang" in bad.json()["detail"]


def test_the_hot_queries_read_their_indexes(engines: Engines, schema: str) -> None:
    queries = {
        "notifications_by_user": "SELECT id FROM notifications WHERE user_id = 'u1'"
        " AND (created_at, id) < (now(), 'x') ORDER BY created_at DESC, id DESC LIMIT 51",
        "notifications_unread_by_user": "SELECT count(*) FROM notifications"
        " WHERE user_id = 'u1' AND NOT read",
        "notifications_recorded_by_user": "SELECT id FROM notifications WHERE user_id = 'u1'"
        " AND recorded_at >= now() - interval '10 minutes' ORDER BY recorded_at, id",
        "accounts_by_agency_kind": "SELECT id FROM accounts WHERE agency_code = 'A7'"
        " AND kind = 'officer'",
    }
    with psycopg.connect(engines.postgres_dsn, options=f"-c search_path={schema}") as conn:
        conn.execute(  # 20,000 entries of 50 users over two weeks, one a minute
            "INSERT INTO notifications (id, source_id, user_id, kind, title, event_type,"
            " created_at, recorded_at, email_status, read) SELECT 'n' || g, 'n' || g,"
            " 'u' || (g % 50), 'dossier_created', 't', 'e', now() - g * interval '1 minute',"
            " now() - g * interval '1 minute', 'none', g % 3 = 0"
            " FROM generate_series(1, 20000) g"
        )
        conn.execute(
            "INSERT INTO accounts (id, version, kind, agency_code) SELECT 'a' || g, 1,"
            " CASE WHEN g % 10 = 0 THEN 'officer' ELSE 'citizen' END, 'A' || (g % 40)"
            " FROM generate_series(1, 5000) g"
        )
        conn.execute("ANALYZE notifications")
        conn.execute("ANALYZE accounts")
        for index, query in queries.items():
            plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {query}").fetchall())
            assert index in plan, plan


async def test_the_hub_wakes_the_streams_of_the_user_written_to(
    engines: Engines, pool: AsyncConnectionPool[Any], schema: str
) -> None:
    channel = store.inbox_channel(schema)
    hub = InboxHub(engines.postgres_dsn, channel)
    mine, other = hub.subscribe("u1"), hub.subscribe("u2")
    hub.start()
    try:
        await asyncio.wait_for(mine.wait(), 5)  # woken once when the listener connects
        mine.clear()
        other.clear()
        async with pool.connection() as conn, conn.transaction():
            # the insert NOTIFYs the user's streams in the same statement
            await store.insert_entries(conn, _rows("u1", 1), channel, store.email_channel(schema))
            await asyncio.sleep(0.3)
            assert not mine.is_set()  # not before the commit
        await asyncio.wait_for(mine.wait(), 5)
        assert not other.is_set()
    finally:
        await hub.stop()
