"""A file store that cannot be reached (S3 down): uploads and downloads answer 503
``file-store-unavailable`` and nothing is recorded; a refused file is still 415."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.application.dossiers import DossierApplication
from services.dossier.tests.unit.builders import AGENCY, APPROVER, OWNER
from services.dossier.tests.unit.files_api import files_api
from services.dossier.tests.unit.test_dossier_api_matrix import headers
from services.dossier.tests.unit.test_result_file import PDF, _approve, _processing
from shared.blobstore import BlobUnavailableError, InMemoryBlobStore, check_blob


class FlakyStore(InMemoryBlobStore):
    """Checks files as every store does, then fails to reach the server while ``down``."""

    down = False

    def put(self, data: bytes) -> str:
        check_blob(data, max_bytes=self.max_bytes, allowed=self.allowed)
        if self.down:
            raise BlobUnavailableError("put: EndpointConnectionError")
        return super().put(data)

    def get(self, sha256: str) -> bytes:
        if self.down:
            raise BlobUnavailableError("get: EndpointConnectionError")
        return super().get(sha256)


@pytest.fixture
def api() -> Iterator[tuple[TestClient, DossierApplication, FlakyStore]]:
    blobs = FlakyStore()
    with files_api(blobs) as (client, dossiers):
        yield client, dossiers, blobs


def _unavailable(answer: Any) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["type"].endswith("/file-store-unavailable")
    assert "Kho lưu trữ tệp" in answer.json()["detail"]


def test_attachment_upload_and_download_while_the_store_is_down(api: Any) -> None:
    client, dossiers, blobs = api
    dossier_id = dossiers.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
    )
    base = f"/api/v1/dossiers/{dossier_id}/attachments"

    def upload(data: bytes) -> Any:
        return client.post(
            base,
            headers=headers(OWNER),
            data={"document_code": "cccd"},
            files={"file": ("cccd.pdf", data, "application/pdf")},
        )

    stored = upload(PDF)
    assert stored.status_code == 201
    blobs.down = True
    version = dossiers.get_for(dossier_id, OWNER).version
    _unavailable(upload(PDF + b"% 2\n"))
    assert dossiers.get_for(dossier_id, OWNER).version == version  # nothing recorded
    refused = upload(b"MZ\x90\x00")  # refused before the store is asked: still 415
    assert refused.status_code == 415
    _unavailable(client.get(f"{base}/{stored.json()['id']}", headers=headers(OWNER)))
    blobs.down = False
    assert client.get(f"{base}/{stored.json()['id']}", headers=headers(OWNER)).content == PDF


def test_approval_with_its_result_file_while_the_store_is_down(api: Any) -> None:
    client, dossiers, blobs = api
    dossier_id = _processing(dossiers)
    version = dossiers.get_for(dossier_id, APPROVER).version
    blobs.down = True
    _unavailable(_approve(client, dossier_id, APPROVER))
    assert dossiers.get_for(dossier_id, APPROVER).version == version  # not approved
    blobs.down = False
    assert _approve(client, dossier_id, APPROVER).status_code == 200
    blobs.down = True
    _unavailable(client.get(f"/api/v1/dossiers/{dossier_id}/result", headers=headers(APPROVER)))
