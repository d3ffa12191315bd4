"""PostgreSQL unreachable at request time: a 503 problem in Vietnamese, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool

from services.notify.adapters.live import InboxHub
from services.notify.adapters.store import PgInbox, PgStats
from services.notify.application.inbox import Inbox
from services.notify.application.stats import Statistics
from services.notify.entrypoints.http import notifications, stats
from services.notify.entrypoints.http.app import STORE_DETAIL
from shared.http.app import create_app
from tests.support import tokens

NOWHERE = "postgresql://notify@127.0.0.1:9/notify?connect_timeout=1"  # nothing listens


def test_an_unreachable_store_answers_503_problems() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            NOWHERE, open=False, timeout=0.5, min_size=1
        )
        await pool.open(wait=False)
        app.state.inbox = Inbox(PgInbox(pool), InboxHub(NOWHERE, "unused"))
        app.state.statistics = Statistics(PgStats(pool))
        yield
        await pool.close(timeout=0.5)

    app = create_app("notify", lifespan=lifespan, store_detail=STORE_DETAIL)
    app.state.verifier = tokens.verifier()
    app.include_router(notifications.router)
    app.include_router(stats.router)
    caller = tokens.caller("u1")
    with TestClient(app) as client:
        for response in (
            client.get("/api/v1/notifications", headers=caller),
            client.get("/api/v1/notifications/preferences", headers=caller),
            client.get("/api/v1/stats"),
        ):
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "5"
            problem = response.json()
            assert problem["type"].endswith("/store-unavailable")
            assert problem["detail"] == "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau."


def test_a_lone_surrogate_key_is_refused_before_the_store() -> None:
    app = create_app("notify", store_detail=STORE_DETAIL)
    app.state.verifier = tokens.verifier()
    app.include_router(notifications.router)
    caller = tokens.caller("u1")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.put(
            "/api/v1/notifications/preferences",
            headers={**caller, "Content-Type": "application/json"},
            content='{"email": {"\\udaff": false}}',
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert "không hợp lệ" in problem["detail"]
