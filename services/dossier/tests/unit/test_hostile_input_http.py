"""Hostile JSON reaches the dossier API as a 422 problem in Vietnamese, never a 500: an
integer beyond 64 bits, a lone surrogate (valid JSON, not encodable as UTF-8) in a form,
a number JSON reads as infinity, an integer no form field holds, a count whose fee no
order could carry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.procedure import Fee
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import AGENCY, BIRTH, OWNER
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from tests.support import tokens

LONE_SURROGATE = (
    '{"procedure_code": "1.001193", "agency_code": "%s", "form": {"ho_ten": "\\udaff"}}'
)

NUL_IN_CODE = '{"procedure_code": "1.0\\u00001193", "agency_code": "AGENCY", "form": {}}'


COPIES = replace(
    BIRTH,
    code="2.000815",
    fees=(Fee("ban_sao", "Phí cấp bản sao", 8000, rule="per_copy", quantity_field="so_ban"),),
    form_schema={"type": "object", "properties": {"so_ban": {"type": "integer", "minimum": 0}}},
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    procedures.add(COPIES)
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


def _new(client: TestClient, form: str, procedure: str = "1.001193") -> Any:
    return client.post(
        "/api/v1/dossiers",
        headers={**headers(OWNER), "Content-Type": "application/json"},
        content=f'{{"procedure_code": "{procedure}", "agency_code": "{AGENCY}", "form": {form}}}',
    )


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN"])
def test_a_number_json_reads_as_infinity_is_refused(client: TestClient, number: str) -> None:
    answer = _new(client, '{"ho_ten": "An", "ghi_chu": [' + number + "]}")
    assert "giá trị số không hợp lệ" in _refused(answer)["detail"]


@pytest.mark.parametrize("number", [str(10**400), str(-(2**53))])
def test_an_integer_no_form_field_holds_is_refused(client: TestClient, number: str) -> None:
    answer = _new(client, '{"ho_ten": "An", "so_ban": ' + number + "}")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith("/dossier-form-invalid")
    assert problem["errors"] == [
        {"field": "so_ban", "label": "so_ban", "message": "Số vượt quá giới hạn cho phép."}
    ]


def test_the_largest_integer_a_form_holds_is_kept(client: TestClient) -> None:
    answer = _new(client, f'{{"ho_ten": "An", "so_ban": {2**53 - 1}}}')
    assert answer.status_code == 201, answer.text


def test_a_count_whose_fee_no_order_could_carry_is_refused(client: TestClient) -> None:
    fine = _new(client, '{"so_ban": 3}', "2.000815")
    assert fine.status_code == 201, fine.text
    for way in ("new", "saved"):
        if way == "new":
            answer = _new(client, f'{{"so_ban": {2**53 - 1}}}', "2.000815")
        else:
            answer = client.put(
                f"/api/v1/dossiers/{fine.json()['id']}/form",
                headers=headers(OWNER),
                json={"form": {"so_ban": 2_000_000}},  # 16 tỷ đồng
            )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/dossier-invalid-input")
        assert "vượt quá mức thu tối đa" in answer.json()["detail"]


def test_a_nul_in_the_procedure_code_is_refused_before_the_store(client: TestClient) -> None:
    """Found by schemathesis: PostgreSQL text cannot hold NUL, the lookup answered 500."""
    answer = client.post(
        "/api/v1/dossiers",
        headers={**headers(OWNER), "Content-Type": "application/json"},
        content=NUL_IN_CODE.replace("AGENCY", AGENCY),
    )
    assert _refused(answer)["errors"] == [{"field": "body", "code": "string_unicode"}]
