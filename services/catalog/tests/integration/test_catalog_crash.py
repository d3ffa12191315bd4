"""The catalog process is SIGKILLed right after it accepted a change: after a restart the
change and its event are both there (the event once, by id, on Kafka), never one
without the other, because they committed in one transaction (the outbox)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from services.catalog.tests.integration.support import (
    ADMIN,
    RunningCatalog,
    events_for,
    running_catalog,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCatalog]:
    with running_catalog(engines, tmp_path_factory.mktemp("catalog-crash")) as running:
        yield running


def _procedure(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Cấp giấy phép xuất bản bản tin sau sự cố",
        "field_code": "XUATBAN",
        "service_level": 3,
        "agency_codes": ["NB.SVHTTDL"],
        "government_level": "province",
        "steps": ["Nộp hồ sơ"],
        "form_schema": {"type": "object", "properties": {}},
        "time_limit_days": 10,
        "fees": [{"code": "LP", "name": "Lệ phí", "amount": 0}],
        "result_delivery": ["office"],
    }


def _connect(catalog: RunningCatalog) -> psycopg.Connection[dict[str, Any]]:
    conn = psycopg.connect(catalog.engines.postgres_dsn, row_factory=dict_row)
    conn.execute(f'SET search_path = "{catalog.schema}"')
    return conn


def _crash_and_restart(
    catalog: RunningCatalog, tmp_path: Path, code: str, hold_relay: bool
) -> tuple[set[str], Any]:
    """Publish ``code``, SIGKILL the process once it answered, start another; the event ids
    that were in the outbox at the kill, and the restarted process."""
    api = catalog.api
    assert (
        api.post("/api/v1/catalog/procedures", json=_procedure(code), headers=ADMIN).status_code
        == 201
    )
    process = catalog.another_instance(tmp_path).start()
    with _connect(catalog) as holder:
        if hold_relay:  # the relays of both processes wait: the kill comes before publication
            holder.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s || '.outbox'))", (catalog.schema,)
            )
        with httpx.Client(base_url=process.url, timeout=30) as victim:
            assert (
                victim.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN).status_code
                == 200
            )
        process.kill()
        pending = {
            r["event_id"]
            for r in holder.execute(
                "SELECT event_id FROM outbox WHERE subject = %s", (code,)
            ).fetchall()
        }
        holder.rollback()  # the relays may publish from here on
    restarted = catalog.another_instance(tmp_path).start()
    return pending, restarted


@pytest.mark.parametrize("hold_relay", [True, False], ids=["before-publication", "racing"])
def test_a_change_accepted_before_a_crash_is_published_once(
    catalog: RunningCatalog, tmp_path: Path, hold_relay: bool
) -> None:
    code = "9.00009" + ("1" if hold_relay else "2")
    pending, restarted = _crash_and_restart(catalog, tmp_path, code, hold_relay)
    try:
        if hold_relay:
            assert len(pending) == 1  # accepted and committed, not yet on Kafka
        published = catalog.api.get(f"/api/v1/catalog/procedures/{code}").json()
        assert published["version"] == 1 and published["status"] == "current"
        events = events_for(catalog, code, 1)
        assert [(e["type"], e["data"]["version"]) for e in events] == [
            ("vn.motcua.catalog.procedure_published", 1)
        ]
        assert pending <= {e["id"] for e in events}  # the same event, by id
        deadline = time.monotonic() + 15  # the relay deletes what the broker acknowledged
        with _connect(catalog) as conn:
            while (
                left := conn.execute(
                    "SELECT count(*) AS n FROM outbox WHERE subject = %s", (code,)
                ).fetchone()
            ) != {"n": 0}:
                assert time.monotonic() < deadline, left
                conn.rollback()
                time.sleep(0.2)
    finally:
        restarted.stop()
