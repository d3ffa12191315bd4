"""The read model of orders on the real PostgreSQL: version-guarded rows, lists newest
first page after page (keyset), the expiry sweep's candidates, and the projection's
rows and position committed together."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from services.payment.adapters.projection import OrderProjection
from services.payment.adapters.store import (
    StoredOrders,
    build_payments,
    locked_position,
    open_store,
    save_views,
    set_position,
)
from services.payment.domain.errors import BadCursorError
from services.payment.settings import PaymentSettings
from shared.events.envelope import Actor
from shared.pagination import CursorError, decode_cursor
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
OPENED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def pool(engines: Engines, run_id: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    settings = PaymentSettings(
        sandbox=True, postgres_dsn=engines.postgres_dsn, postgres_schema=run_id
    )
    opened = await open_store(settings, "test")
    yield opened
    await opened.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _view(
    n: int,
    *,
    version: int = 1,
    payer: str = "citizen-1",
    status: str = "pending",
    agency: str = "HN.TP",
    refund_due: int = 0,
) -> dict[str, Any]:
    return {
        "id": f"order-{n:03d}",
        "version": version,
        "payer_id": payer,
        "agency_code": agency,
        "dossier_id": f"dossier-{n % 3}",
        "status": status,
        "refund_due": refund_due,
        "amount": 150_000,
        "status_label": "Chờ thanh toán",
        "created_at": (OPENED + timedelta(hours=n)).isoformat(),
    }


async def test_an_older_or_repeated_version_never_overwrites_a_newer_row(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(1, version=3, status="paid")])
        await save_views(conn, [_view(1, version=2), _view(1, version=3, status="expired")])
    (row,), _ = await StoredOrders(pool).page(agency_code=None, payer_id="citizen-1")
    assert (row["version"], row["status"]) == (3, "paid")


async def test_lists_are_newest_first_and_page_by_keyset(pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(n) for n in range(1, 8)])
        await save_views(
            conn, [_view(20, payer="citizen-2", agency="HN.BD", refund_due=5000, status="paid")]
        )
    first, cursor = await StoredOrders(pool).page(agency_code=None, payer_id="citizen-1", limit=3)
    assert [v["id"] for v in first] == ["order-007", "order-006", "order-005"]
    assert cursor is not None
    second, cursor = await StoredOrders(pool).page(
        agency_code=None, payer_id="citizen-1", limit=3, after=cursor
    )
    assert [v["id"] for v in second] == ["order-004", "order-003", "order-002"]
    last, cursor = await StoredOrders(pool).page(
        agency_code=None, payer_id="citizen-1", limit=3, after=cursor
    )
    assert ([v["id"] for v in last], cursor) == (["order-001"], None)
    by_dossier, _ = await StoredOrders(pool).page(
        agency_code=None, payer_id="citizen-1", dossier_id="dossier-1"
    )
    assert [v["id"] for v in by_dossier] == ["order-007", "order-004", "order-001"]
    owed, _ = await StoredOrders(pool).page(payer_id=None, agency_code="HN.BD", refund_due=True)
    assert [v["id"] for v in owed] == ["order-020"]
    assert (await StoredOrders(pool).page(payer_id=None, agency_code="HN.TP", refund_due=True))[
        0
    ] == []
    with pytest.raises(CursorError):
        decode_cursor("not a cursor!")


async def test_the_api_pages_with_the_cursor_it_gave_and_refuses_any_other(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(n) for n in range(1, 4)])
    views = StoredOrders(pool)
    query: dict[str, Any] = {
        "payer_id": "citizen-1",
        "agency_code": None,
        "dossier_id": None,
        "status": None,
        "refund_due": False,
        "limit": 2,
    }
    first, cursor = await views.page(**query, after=None)
    rest, last = await views.page(**query, after=cursor)
    assert [v["id"] for v in first + rest] == ["order-003", "order-002", "order-001"]
    assert last is None
    with pytest.raises(BadCursorError):
        await views.page(**query, after="not a cursor!")


async def test_the_sweep_sees_pending_orders_opened_before_the_cutoff(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(1), _view(2, status="paid"), _view(3), _view(30)])
    due = await StoredOrders(pool).pending_opened_before(OPENED + timedelta(hours=10))
    assert due == ["order-001", "order-003"]


async def test_a_batch_and_its_position_commit_together_one_projector_at_a_time(
    pool: AsyncConnectionPool[Any],
) -> None:
    async with pool.connection() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                assert await locked_position(conn, "orders") == 0
                await save_views(conn, [_view(1)])
                await set_position(conn, "orders", 5)
                raise RuntimeError("the projector died mid-batch")
    assert await StoredOrders(pool).page(agency_code=None, payer_id="citizen-1") == ([], None)
    async with pool.connection() as first, first.transaction():
        assert await locked_position(first, "orders") == 0
        await set_position(first, "orders", 7)

        async def second() -> int:
            async with pool.connection() as other, other.transaction():
                return await locked_position(other, "orders")

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the first still holds the position
    assert await waiting == 7


async def test_a_rebuilt_read_model_equals_the_live_one(engines: Engines, run_id: str) -> None:
    settings = PaymentSettings(
        sandbox=True, postgres_dsn=engines.postgres_dsn, postgres_schema=run_id
    )
    pool = await open_store(settings, "test-rebuild")
    payments = await build_payments(settings)
    try:
        for n in range(5):
            dossier_id = f"dossier-{run_id}-{n}"
            payments.open_order(
                dossier_id=dossier_id,
                request_sequence=7,
                actor=Actor(id="officer-1", role="officer", agency="HN.TP"),
                data={
                    "dossier_id": dossier_id,
                    "code": f"HNTP-261122-{n:09d}",
                    "procedure_code": "1.009972",
                    "agency_code": "HN.TP",
                    "payer_id": "citizen-1",
                    "service_level": 4,
                    "total": 150_000,
                    "fees": [{"code": "LP", "name": "Lệ phí cấp giấy phép", "amount": 150_000}],
                },
            )
            if n % 2:
                payments.close_for_dossier(
                    dossier_id=dossier_id,
                    closing_sequence=9,
                    event_id=f"e-{n}",
                    reason="Hồ sơ bị từ chối",
                )
        projection = OrderProjection(payments, pool, batch_size=3)
        while await projection.project_once():
            pass

        async def rows() -> list[dict[str, Any]]:
            async with pool.connection() as conn:
                cur = await conn.execute("SELECT * FROM orders ORDER BY id")
                return list(await cur.fetchall())

        live = await rows()
        assert [r["status"] for r in live].count("cancelled") == 2 and len(live) == 5
        async with pool.connection() as conn:  # a damaged read model, then rebuilt
            await conn.execute("DELETE FROM orders WHERE status = 'cancelled'")
            await conn.execute("UPDATE orders SET status = 'paid'")
        assert await projection.rebuild() == payments.recorder.max_notification_id()
        assert await rows() == live
        assert await projection.project_once() == 0  # the position is at the log's end
        async with pool.connection() as conn:
            await conn.execute("DELETE FROM orders")
        cli = subprocess.run(  # the operator's command, on the same schema
            [sys.executable, "-m", "motcua_ops.cli", "projections", "rebuild", "payment"],
            env={
                **os.environ,
                "MOTCUA_POSTGRES_DSN": engines.postgres_dsn,
                "MOTCUA_PAYMENT_POSTGRES_SCHEMA": run_id,
                "MOTCUA_PAYMENT_SANDBOX": "true",  # a test terminal's public secret
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert cli.returncode == 0, cli.stdout + cli.stderr
        assert "rebuilt the payment read model" in cli.stdout
        assert await rows() == live
    finally:
        payments.close()
        await pool.close()
