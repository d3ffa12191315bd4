"""Refusals of the dossier's use cases reach the caller as problem+json with their stable
type and Vietnamese detail: a form's field errors, an unknown dossier, and the second of
two writers of one version (in-memory event store; the rival writes in between)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.dossier import Dossier
from services.dossier.entrypoints.http.app import dossier_app
from services.dossier.tests.unit.builders import AGENCY, BIRTH, OWNER
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from tests.support import tokens


@pytest.fixture
def api() -> Iterator[tuple[TestClient, DossierApplication]]:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    dossiers = DossierApplication(procedures=procedures)
    app = dossier_app()
    app.state.verifier = tokens.verifier()
    app.state.dossiers = dossiers
    with TestClient(app) as client:
        yield client, dossiers


def _draft(dossiers: DossierApplication) -> UUID:
    return dossiers.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
    )


def _problem(answer: Any, status: int, type_: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["type"] == f"https://motcua.vn/problems/{type_}"
    return body


def test_an_invalid_form_names_each_field_in_vietnamese(
    api: tuple[TestClient, DossierApplication],
) -> None:
    client, dossiers = api
    dossier_id = _draft(dossiers)
    answer = client.put(
        f"/api/v1/dossiers/{dossier_id}/form",
        headers=headers(OWNER),
        json={"form": {"email": "không-phải-email"}},
    )
    body = _problem(answer, 422, "dossier-form-invalid")
    assert body["detail"] == "Tờ khai chưa hợp lệ, vui lòng kiểm tra các trường được nêu."
    fields = {e["field"]: e for e in body["errors"]}
    assert fields["email"]["message"] == "Giá trị không đúng định dạng."


def test_another_citizens_dossier_is_not_found(
    api: tuple[TestClient, DossierApplication],
) -> None:
    client, dossiers = api
    dossier_id = _draft(dossiers)
    stranger = tokens.caller("cong-dan-khac")
    body = _problem(
        client.get(f"/api/v1/dossiers/{dossier_id}", headers=stranger), 404, "dossier-not-found"
    )
    assert body["detail"] == "Không tìm thấy hồ sơ."


def test_the_second_writer_of_one_version_is_refused_and_nothing_is_written(
    api: tuple[TestClient, DossierApplication],
) -> None:
    client, dossiers = api
    dossier_id = _draft(dossiers)
    rival: Dossier = dossiers.repository.get(dossier_id)
    rival.save_form(OWNER, {"ho_ten": "Trần Thị Bình"})
    save = dossiers.save

    def rival_first(*objs: Any, **kwargs: Any) -> Any:
        del dossiers.save  # once: the rival's write, then ours on the version both read
        save(rival)
        return save(*objs, **kwargs)

    dossiers.save = rival_first  # type: ignore[method-assign]
    answer = client.put(
        f"/api/v1/dossiers/{dossier_id}/form",
        headers=headers(OWNER),
        json={"form": {"ho_ten": "Lê Văn Cường"}},
    )
    body = _problem(answer, 409, "dossier-concurrent-change")
    assert body["detail"] == "Hồ sơ vừa được người khác thay đổi, vui lòng tải lại và thử lại."
    stored = dossiers.get_for(dossier_id, OWNER)
    assert stored.form["ho_ten"] == "Trần Thị Bình"
    assert stored.version == rival.version
