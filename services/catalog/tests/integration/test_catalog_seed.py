"""The demo seed loads Ninh Bình's catalogue once: a second run changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from services.catalog.entrypoints.seed import seed_demo
from services.catalog.tests.integration.support import drop_schema
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


def _state(dsn: str, schema: str) -> dict[str, Any]:
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        conn.execute(f'SET search_path = "{schema}"')

        def rows(query: str) -> list[dict[str, Any]]:
            return conn.execute(query).fetchall()

        return {
            "procedures": {r["code"]: r["seq"] for r in rows("SELECT code, seq FROM procedures")},
            "versions": rows("SELECT code, count(*) AS n FROM procedure_versions GROUP BY code"),
            "agencies": {r["code"]: r["seq"] for r in rows("SELECT code, seq FROM agencies")},
            "outbox": rows("SELECT count(*) AS n FROM outbox")[0]["n"],
            "templates": rows("SELECT count(*) AS n FROM templates")[0]["n"],
        }


def test_the_demo_seed_is_idempotent(
    engines: Engines, monkeypatch: pytest.MonkeyPatch, run_id: str
) -> None:
    monkeypatch.setenv("MOTCUA_POSTGRES_DSN", engines.postgres_dsn)
    monkeypatch.setenv("MOTCUA_CATALOG_POSTGRES_SCHEMA", run_id)
    try:
        first = asyncio.run(seed_demo())
        assert first["procedures"] >= 40 and first["published"] == first["procedures"]
        before = _state(engines.postgres_dsn, run_id)
        second = asyncio.run(seed_demo())
        assert second["published"] == 0
        after = _state(engines.postgres_dsn, run_id)
        assert after == before  # no new change, no new event (no relay ran to take any)
        assert all(r["n"] == 1 for r in after["versions"])
        assert len(after["versions"]) == first["procedures"]
        assert after["templates"] >= 30  # one .docx per level ≥ 2 form
        assert len(after["agencies"]) == 15 and after["agencies"]["NB.H.GIAVIEN"] == 1
        # each field, agency and publication is one event, recorded with its change
        assert after["outbox"] == first["fields"] + first["agencies"] + first["published"]
    finally:
        drop_schema(engines.postgres_dsn, run_id)
