"""Hostile JSON reaches the dossier API as a 422 problem in Vietnamese, never a 500: an
integer beyond 64 bits, a lone surrogate (valid JSON, not encodable as UTF-8) in a form."""

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
from tests.support import tokens

LONE_SURROGATE = (
    '{"procedure_code": "1.001193", "agency_code": "%s", "form": {"ho_ten": "\\udaff"}}'
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    app = dossier_app()
    app.state.verifier = tokens.verifier()
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


def test_a_lone_surrogate_in_a_new_dossiers_form_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/dossiers",
        headers={**headers(OWNER), "Content-Type": "application/json"},
        content=LONE_SURROGATE % AGENCY,
    )
    _refused(answer)


def test_a_lone_surrogate_in_a_saved_form_is_refused(client: TestClient) -> None:
    created = client.post(
        "/api/v1/dossiers",
        headers=headers(OWNER),
        json={"procedure_code": "1.001193", "agency_code": AGENCY, "form": {}},
    )
    assert created.status_code == 201, created.text
    answer = client.put(
        f"/api/v1/dossiers/{created.json()['id']}/form",
        headers={**headers(OWNER), "Content-Type": "application/json"},
        content='{"form": {"ho_ten": "Nguy\\udaffn"}}',
    )
    _refused(answer)
