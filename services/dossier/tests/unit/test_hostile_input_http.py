"""Hostile JSON reaches the dossier API as a 422 problem in Vietnamese, never a 500: an
integer beyond 64 bits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import AGENCY, BIRTH, OWNER
from services.dossier.tests.unit.test_dossier_api_matrix import headers


@pytest.fixture
def client() -> Iterator[TestClient]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    app = dossier_app()
    app.state.dossiers = DossierApplication(procedures=procedures)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _refused(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"] == "https://motcua.vn/problems/validation-error"
    assert "không hợp lệ" in body["detail"]
    return body


def test_a_procedure_version_beyond_64_bits_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/dossiers",
        headers=headers(OWNER),
        json={
            "procedure_code": "1.001193",
            "procedure_version": 9223372036854775808,
            "agency_code": AGENCY,
        },
    )
    assert _refused(answer)["errors"][0]["field"] == "procedure_version"
