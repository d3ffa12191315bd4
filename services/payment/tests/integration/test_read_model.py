"""The read model of orders on the real PostgreSQL: version-guarded rows, lists newest
first page after page (keyset), the expiry sweep's candidates, and the projection's
rows and position committed together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from services.payment.adapters.store import (
    decode_cursor,
    list_orders,
    locked_position,
    open_store,
    pending_opened_before,
    save_views,
    set_position,
)
from services.payment.settings import PaymentSettings
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
OPENED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def pool(engines: Engines, run_id: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    settings = PaymentSettings(postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    opened = await open_store(settings, "test")
    yield opened
    await opened.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _view(n: int, *, version: int = 1, payer: str = "citizen-1", status: str = "pending",
          agency: str = "HN.TP", refund_due: int = 0) -> dict[str, Any]:
    return {"id": f"order-{n:03d}", "version": version, "payer_id": payer,
            "agency_code": agency, "dossier_id": f"dossier-{n % 3}", "status": status,
            "refund_due": refund_due, "amount": 150_000, "status_label": "Chờ thanh toán",
            "created_at": (OPENED + timedelta(hours=n)).isoformat()}


async def test_an_older_or_repeated_version_never_overwrites_a_newer_row(
        pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(1, version=3, status="paid")])
        await save_views(conn, [_view(1, version=2), _view(1, version=3, status="expired")])
    (row,), _ = await list_orders(pool, payer_id="citizen-1")
    assert (row["version"], row["status"]) == (3, "paid")


async def test_lists_are_newest_first_and_page_by_keyset(
        pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(n) for n in range(1, 8)])
        await save_views(conn, [_view(20, payer="citizen-2", agency="HN.BD", refund_due=5000,
                                      status="paid")])
    first, cursor = await list_orders(pool, payer_id="citizen-1", limit=3)
    assert [v["id"] for v in first] == ["order-007", "order-006", "order-005"]
    assert cursor is not None
    second, cursor = await list_orders(pool, payer_id="citizen-1", limit=3,
                                       after=decode_cursor(cursor))
    assert [v["id"] for v in second] == ["order-004", "order-003", "order-002"]
    last, cursor = await list_orders(pool, payer_id="citizen-1", limit=3,
                                     after=decode_cursor(cursor or ""))
    assert ([v["id"] for v in last], cursor) == (["order-001"], None)
    by_dossier, _ = await list_orders(pool, payer_id="citizen-1", dossier_id="dossier-1")
    assert [v["id"] for v in by_dossier] == ["order-007", "order-004", "order-001"]
    owed, _ = await list_orders(pool, agency_code="HN.BD", refund_due=True)
    assert [v["id"] for v in owed] == ["order-020"]
    assert (await list_orders(pool, agency_code="HN.TP", refund_due=True))[0] == []
    with pytest.raises(ValueError):
        decode_cursor("not a cursor!")


async def test_the_sweep_sees_pending_orders_opened_before_the_cutoff(
        pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        await save_views(conn, [_view(1), _view(2, status="paid"), _view(3), _view(30)])
    due = await pending_opened_before(pool, OPENED + timedelta(hours=10))
    assert due == ["order-001", "order-003"]


async def test_a_batch_and_its_position_commit_together_one_projector_at_a_time(
        pool: AsyncConnectionPool[Any]) -> None:
    async with pool.connection() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                assert await locked_position(conn, "orders") == 0
                await save_views(conn, [_view(1)])
                await set_position(conn, "orders", 5)
                raise RuntimeError("the projector died mid-batch")
    assert await list_orders(pool, payer_id="citizen-1") == ([], None)
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
