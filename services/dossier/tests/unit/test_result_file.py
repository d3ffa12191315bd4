"""The result document: the approver attaches the file when approving; the owner may
download it once the result is ready, the agency's officers and auditors once it is
approved; nobody else, and nothing is stored for a caller who may not approve."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain import errors as domain_errors
from services.dossier.domain.commands import Accept, Propose, StartProcessing
from services.dossier.domain.result import checked_result
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import (
    AGENCY,
    APPROVER,
    AUDITOR,
    FOREIGN,
    OTHER_CITIZEN,
    OWNER,
    PROCESSOR,
    RECEIVER,
    SYSTEM,
    T0,
    in_state,
    uploaded,
)
from services.dossier.tests.unit.files_api import files_api
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from shared.blobstore import InMemoryBlobStore

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% ket qua\n"
DOCUMENT = {
    "name": "Giấy khai sinh.pdf",
    "content_type": "application/pdf",
    "size": len(PDF),
    "sha256": hashlib.sha256(PDF).hexdigest(),
}
T = T0 + timedelta(hours=3)


def approved(document: dict[str, Any] | None = DOCUMENT) -> Any:
    dossier = in_state(Status.IN_PROCESSING)
    outcome: dict[str, Any] = {"number": "KS-9"}
    if document is not None:
        outcome["document"] = document
    dossier.approve(APPROVER, outcome, T)
    return dossier


# -- the domain rule -------------------------------------------------------------------


def test_the_approved_event_carries_the_descriptor_not_the_bytes() -> None:
    dossier = approved()
    event = dossier.collect_events()[-2]  # Approved, then PaymentRequested (fee 8.000 đ)
    assert type(event).__name__ == "Approved"
    assert event.result == {"number": "KS-9", "document": DOCUMENT}
    assert dossier.status is Status.AWAITING_PAYMENT


@pytest.mark.parametrize(
    "bad",
    [
        "not a mapping",
        {**DOCUMENT, "content_type": "text/html"},
        {**DOCUMENT, "size": 0},
        {**DOCUMENT, "size": "12"},
        {**DOCUMENT, "sha256": "../../etc/passwd"},
        {k: v for k, v in DOCUMENT.items() if k != "sha256"},
    ],
)
def test_a_malformed_document_descriptor_is_refused(bad: Any) -> None:
    dossier = in_state(Status.IN_PROCESSING)
    version = dossier.version
    with pytest.raises(domain_errors.InvalidInputError):
        dossier.approve(APPROVER, {"number": "KS-9", "document": bad}, T)
    assert dossier.version == version and dossier.status is Status.IN_PROCESSING


def test_a_result_without_a_document_is_kept_as_it_is() -> None:
    assert checked_result({"number": "1"}) == {"number": "1"}


def test_the_owner_waits_for_the_fee_the_agency_and_auditors_do_not() -> None:
    dossier = approved()
    with pytest.raises(domain_errors.ResultNotFoundError):
        dossier.result_document_for(OWNER)
    for reader in (APPROVER, RECEIVER, PROCESSOR, AUDITOR):
        assert dossier.result_document_for(reader) == DOCUMENT
    with pytest.raises(domain_errors.WrongAgencyError):
        dossier.result_document_for(FOREIGN)
    dossier.record_payment(SYSTEM, "order-1", 8000, T)
    assert dossier.result_document_for(OWNER) == DOCUMENT
    dossier.return_result(RECEIVER, "online", T)
    assert dossier.result_document_for(OWNER) == DOCUMENT


def test_no_file_no_download() -> None:
    dossier = approved(document=None)
    dossier.record_payment(SYSTEM, "order-1", 8000, T)
    with pytest.raises(domain_errors.ResultNotFoundError):
        dossier.result_document_for(OWNER)
    with pytest.raises(domain_errors.ResultNotFoundError):
        in_state(Status.IN_PROCESSING).result_document_for(APPROVER)


# -- the API ---------------------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[tuple[TestClient, DossierApplication, InMemoryBlobStore]]:
    blobs = InMemoryBlobStore()
    with files_api(blobs) as (client, dossiers):
        yield client, dossiers, blobs


def _processing(dossiers: DossierApplication) -> Any:
    dossier_id = dossiers.start_draft(
        OWNER,
        procedure_code="1.001193",
        agency_code=AGENCY,
        form={"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "1234"},
    )
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    dossiers.submit(dossier_id, OWNER)
    dossiers.act_as_officer(dossier_id, RECEIVER, Accept())
    dossiers.act_as_officer(dossier_id, PROCESSOR, StartProcessing())
    dossiers.act_as_officer(dossier_id, PROCESSOR, Propose("approve", "Đạt"))
    return dossier_id


def _approve(client: TestClient, dossier_id: Any, who: Any, data: bytes = PDF) -> Any:
    return client.post(
        f"/api/v1/officer/dossiers/{dossier_id}/approve",
        headers=headers(who),
        data={"result_number": "KS-9", "result_note": "Đã ký"},
        files={"file": ("Giấy khai sinh.pdf", data, "text/plain")},
    )


def test_approve_with_the_file_then_download_by_each_reader(api: Any) -> None:
    client, dossiers, blobs = api
    dossier_id = _processing(dossiers)
    url = f"/api/v1/dossiers/{dossier_id}/result"
    before = client.get(url, headers=headers(APPROVER))
    assert before.status_code == 404 and before.json()["type"].endswith("/result-not-found")
    answer = _approve(client, dossier_id, APPROVER)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == {"number": "KS-9", "note": "Đã ký", "document": DOCUMENT}
    assert blobs.blobs == {DOCUMENT["sha256"]: PDF}
    waiting = client.get(url, headers=headers(OWNER))  # the fee is still due
    assert waiting.status_code == 404 and waiting.json()["type"].endswith("/result-not-found")
    assert "chưa sẵn sàng" in waiting.json()["detail"]
    assert client.get(url, headers=headers(RECEIVER)).content == PDF
    assert client.get(url, headers=headers(AUDITOR)).content == PDF
    assert client.get(url, headers=headers(FOREIGN)).status_code == 403
    assert client.get(url, headers=headers(OTHER_CITIZEN)).status_code == 404
    dossiers.record_payment(dossier_id, "order-1", 8000, T)
    got = client.get(url, headers=headers(OWNER))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote('Giấy khai sinh.pdf', safe='')}" in disposition


@pytest.mark.parametrize("who", [PROCESSOR, RECEIVER, FOREIGN, OWNER])
def test_only_the_approver_of_the_agency_may_upload_and_nothing_is_stored(
    api: Any, who: Any
) -> None:
    client, dossiers, blobs = api
    dossier_id = _processing(dossiers)
    version = dossiers.get_for(dossier_id, APPROVER).version
    answer = _approve(client, dossier_id, who)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["detail"]
    assert blobs.blobs == {}
    assert dossiers.get_for(dossier_id, APPROVER).version == version


def test_a_file_of_the_wrong_type_is_refused_and_nothing_written(api: Any) -> None:
    client, dossiers, blobs = api
    dossier_id = _processing(dossiers)
    version = dossiers.get_for(dossier_id, APPROVER).version
    answer = _approve(client, dossier_id, APPROVER, data=b"<html>not a pdf</html>")
    assert answer.status_code == 415
    assert answer.json()["type"].endswith("/attachment-type-not-allowed")
    assert blobs.blobs == {} and dossiers.get_for(dossier_id, APPROVER).version == version


def test_json_cannot_claim_a_document_that_was_not_uploaded(api: Any) -> None:
    client, dossiers, _ = api
    dossier_id = _processing(dossiers)
    path = f"/api/v1/officer/dossiers/{dossier_id}/approve"
    forged = client.post(
        path, headers=headers(APPROVER), json={"result": {"number": "KS-9", "document": DOCUMENT}}
    )
    assert forged.status_code == 422 and forged.json()["type"].endswith("/result-file-required")
    broken = client.post(
        path,
        headers={**headers(APPROVER), "content-type": "application/json"},
        content=b"{not json",
    )
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("application/problem+json")
    plain = client.post(path, headers=headers(APPROVER), json={"result": {"number": "KS-9"}})
    assert plain.status_code == 200 and plain.json()["status"] == "awaiting_payment"


def test_the_timeline_names_the_result_file(api: Any) -> None:
    client, dossiers, _ = api
    dossier_id = _processing(dossiers)
    assert _approve(client, dossier_id, APPROVER).status_code == 200
    steps = client.get(f"/api/v1/dossiers/{dossier_id}/timeline", headers=headers(OWNER))
    approval = next(s for s in steps.json()["steps"] if s["event"] == "Approved")
    assert approval["files"] == [DOCUMENT]


def test_an_approval_without_a_proposal_is_refused_before_the_file_is_stored(
    api: Any,
) -> None:
    client, dossiers, blobs = api
    dossier_id = dossiers.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
    )
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    dossiers.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    dossiers.submit(dossier_id, OWNER)
    dossiers.act_as_officer(dossier_id, RECEIVER, Accept())
    dossiers.act_as_officer(dossier_id, PROCESSOR, StartProcessing())  # no proposal yet
    version = dossiers.get_for(dossier_id, APPROVER).version
    answer = _approve(client, dossier_id, APPROVER)
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["detail"] == "Hồ sơ chưa có đề xuất của cán bộ xử lý."
    assert blobs.blobs == {}
    assert dossiers.get_for(dossier_id, APPROVER).version == version


@pytest.mark.parametrize("number", [10**400, -(2**53), float("inf")])
def test_a_result_holding_a_number_no_reader_holds_is_refused(number: Any) -> None:
    dossier = in_state(Status.IN_PROCESSING)
    version = dossier.version
    with pytest.raises(domain_errors.InvalidInputError, match=r"mục «so_ban_sao\.0»"):
        dossier.approve(APPROVER, {"number": "KS-9", "so_ban_sao": [number]}, T)
    assert dossier.version == version and dossier.status is Status.IN_PROCESSING


def test_a_json_approval_with_an_integer_beyond_the_range_is_a_422(api: Any) -> None:
    client, dossiers, _ = api
    dossier_id = _processing(dossiers)
    answer = client.post(
        f"/api/v1/officer/dossiers/{dossier_id}/approve",
        headers={**headers(APPROVER), "Content-Type": "application/json"},
        content='{"result": {"number": "KS-9", "so_ban_sao": ' + "9" * 400 + "}}",
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/dossier-invalid-input")
    assert answer.json()["detail"] == (
        "Kết quả giải quyết, mục «so_ban_sao»: Số vượt quá giới hạn cho phép."
    )
