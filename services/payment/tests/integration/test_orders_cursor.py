"""The orders list's ``after``: a cursor it gave reads on, anything else (the old
``time|id`` format included) is a 400 problem in Vietnamese."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.payment.entrypoints.http.app import build_app
from services.payment.settings import PaymentSettings
from services.payment.tests.integration.support import citizen
from shared.pagination import encode_cursor
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def client(engines: Engines, run_id: str) -> Iterator[TestClient]:
    settings = PaymentSettings(
        sandbox=True, postgres_dsn=engines.postgres_dsn, postgres_schema=run_id
    )
    with TestClient(build_app(settings)) as opened:
        yield opened
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def test_a_foreign_cursor_is_refused_and_ours_is_read(client: TestClient) -> None:
    at = datetime.now(UTC) - timedelta(days=1)
    old = base64.urlsafe_b64encode(f"{at.isoformat()}|order-1".encode()).decode().rstrip("=")
    for after in (old, "x", encode_cursor(at, "order-1")[:-3]):
        refused = client.get(
            "/api/v1/payments/orders", headers=citizen("citizen-1"), params={"after": after}
        )
        assert refused.status_code == 400, after
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/bad-cursor")
        assert refused.json()["detail"].startswith("Tham số phân trang không hợp lệ")
    listed = client.get(
        "/api/v1/payments/orders",
        headers=citizen("citizen-1"),
        params={"after": encode_cursor(at, "order-1")},
    )
    assert listed.status_code == 200 and listed.json() == {"items": [], "next": None}
