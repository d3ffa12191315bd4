"""One dossier holds at most so many attachments and so many bytes of files
(MOTCUA_DOSSIER_MAX_ATTACHMENTS, ..._MAX_ATTACHMENT_BYTES): one more is refused with a
Vietnamese message before any byte is stored; removing a file frees its place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain.filing import AttachmentLimits
from services.dossier.settings import DossierSettings
from services.dossier.tests.unit.builders import AGENCY, OWNER
from services.dossier.tests.unit.files_api import files_api
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from shared.blobstore import InMemoryBlobStore

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
LIMITS = AttachmentLimits(count=3, total_bytes=len(PDF) + len(PNG) - 1)


@pytest.fixture
def api() -> Iterator[tuple[TestClient, DossierApplication, InMemoryBlobStore, str]]:
    blobs = InMemoryBlobStore()
    with files_api(blobs, LIMITS) as (client, dossiers):
        dossier_id = dossiers.start_draft(
            OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "An"}
        )
        yield client, dossiers, blobs, f"/api/v1/dossiers/{dossier_id}"


def _upload(client: TestClient, base: str, data: bytes, code: str = "giay_chung_sinh") -> Any:
    return client.post(
        f"{base}/attachments",
        headers=headers(OWNER),
        data={"document_code": code},
        files={"file": ("tep.bin", data, "application/octet-stream")},
    )


def _limit(answer: Any) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/dossier-attachment-limit")
    detail: str = answer.json()["detail"]
    return detail


def test_an_upload_beyond_the_dossiers_bytes_is_refused_before_it_is_stored(api: Any) -> None:
    client, _, blobs, base = api
    assert _upload(client, base, PDF).status_code == 201
    detail = _limit(_upload(client, base, PNG, "cccd"))
    assert "Tổng dung lượng tệp đính kèm của hồ sơ sẽ vượt mức tối đa" in detail
    assert len(blobs.blobs) == 1  # the PNG was never written


def test_one_attachment_more_than_the_count_is_refused_and_a_removal_frees_a_place(
    api: Any,
) -> None:
    client, _, blobs, base = api
    first = _upload(client, base, PDF)
    assert first.status_code == 201
    for _ in range(2):  # wallet references count, with no bytes
        linked = client.post(
            f"{base}/wallet-documents",
            headers=headers(OWNER),
            json={"document_code": "cccd", "wallet_document_id": "doc-1"},
        )
        assert linked.status_code == 201, linked.text
    detail = _limit(_upload(client, base, PNG, "uy_quyen"))
    assert detail.startswith("Hồ sơ đã có 3 tệp đính kèm, mức tối đa của một hồ sơ")
    refused_link = client.post(
        f"{base}/wallet-documents",
        headers=headers(OWNER),
        json={"document_code": "cccd", "wallet_document_id": "doc-1"},
    )
    _limit(refused_link)
    assert len(blobs.blobs) == 1
    removed = client.delete(f"{base}/attachments/{first.json()['id']}", headers=headers(OWNER))
    assert removed.status_code == 200, removed.text
    assert _upload(client, base, PNG, "uy_quyen").status_code == 201


def test_the_limits_are_settings() -> None:
    settings = DossierSettings(max_attachments=7, max_attachment_bytes=1000)
    assert settings.attachment_limits() == AttachmentLimits(7, 1000)
    assert DossierSettings().attachment_limits() == AttachmentLimits(50, 100 * 1024 * 1024)
