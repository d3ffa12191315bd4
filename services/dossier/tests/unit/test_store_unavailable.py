"""PostgreSQL out of reach at request time: the read models and the procedure lookup
answer 503 ``store-unavailable`` (problem+json, Vietnamese detail), never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg_pool import ConnectionPool

from services.dossier.adapters.procedures import PgProcedures
from services.dossier.adapters.queries import ReadModels
from services.dossier.application.dossiers import DossierApplication
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import AGENCY, OWNER, RECEIVER
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from tests.support import tokens


@pytest.fixture
def client() -> Iterator[TestClient]:
    # nothing listens on port 1: every connection attempt fails at once
    pool: ConnectionPool[Any] = ConnectionPool(
        "postgresql://nobody@127.0.0.1:1/none", min_size=1, open=False, timeout=0.5
    )
    pool.open(wait=False)
    app: FastAPI = dossier_app()
    app.state.verifier = tokens.verifier()
    app.state.dossiers = DossierApplication(procedures=PgProcedures(pool))
    app.state.read_models = ReadModels(pool)
    try:
        with TestClient(app) as test_client:
            yield test_client
    finally:
        pool.close()


def _unavailable(answer: Any) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "5"
    problem = answer.json()
    assert problem["type"].endswith("/store-unavailable")
    assert "Kho dữ liệu hồ sơ tạm thời không truy cập được" in problem["detail"]


def test_lists_queues_and_new_drafts_are_503_while_postgres_is_down(client: TestClient) -> None:
    _unavailable(client.get("/api/v1/dossiers", headers=headers(OWNER)))
    _unavailable(client.get("/api/v1/officer/queues", headers=headers(RECEIVER)))
    _unavailable(client.get("/api/v1/officer/queues/to_receive", headers=headers(RECEIVER)))
    _unavailable(
        client.post(
            "/api/v1/dossiers",
            headers=headers(OWNER),
            json={"procedure_code": "1.001193", "agency_code": AGENCY, "form": {}},
        )
    )
