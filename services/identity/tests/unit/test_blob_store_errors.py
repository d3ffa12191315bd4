"""The document wallet's file refusals are the suite's shared problems: a file too large is
413, one of a type not allowed 415, each with its Vietnamese detail; a store that cannot be
reached is a 503 the user may retry, not a refusal of their file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from services.identity.adapters.hashing import Argon2Hasher
from services.identity.adapters.signing import TokenIssuer, load_keys
from services.identity.application.context import Identity, LinkSealer
from services.identity.domain.passwords import PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.entrypoints.http import documents
from services.identity.settings import IdentitySettings
from services.identity.tests.unit.fakes import FakeStore
from shared.blobstore import BlobStore, BlobUnavailableError, InMemoryBlobStore
from shared.http.app import create_app
from tests.support import tokens

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OWNER = tokens.caller("a-1")
MAX_BYTES = 1024 * 1024


class UnreachableBlobStore(InMemoryBlobStore):
    def put(self, data: bytes) -> str:
        raise BlobUnavailableError("put: EndpointConnectionError")


def _wallet(tmp_path: Path, blobs: BlobStore) -> TestClient:
    store = FakeStore()
    store.accounts["a-1"] = {
        "_id": "a-1",
        "kind": "citizen",
        "email": "hoa@example.vn",
        "email_key": "hoa@example.vn",
        "status": "active",
        "profile": {"full_name": "Hoa"},
        "version": 1,
    }
    app = create_app("identity")
    app.state.verifier = tokens.verifier()
    app.state.identity = Identity(
        settings=IdentitySettings(data_dir=tmp_path, max_document_bytes=MAX_BYTES),
        store=store,
        hasher=Argon2Hasher(),
        policy=PasswordPolicy(frozenset()),
        issuer=TokenIssuer(load_keys(tmp_path / "keys"), "iss", "aud", timedelta(minutes=10)),
        sealer=LinkSealer(None, tmp_path / "none.pub"),
        blobs=blobs,
        captcha_key=b"k" * 32,
        throttle=ThrottlePolicy(2, 1.0, 4, 900),
    )
    app.include_router(documents.router)
    return TestClient(app)


def _upload(client: TestClient, content: bytes) -> Response:
    return client.post(
        "/api/v1/me/documents",
        headers=OWNER,
        data={"type": "cccd", "number": "001090000001"},
        files={"file": ("cccd.pdf", content, "application/pdf")},
    )


def _problem(response: Response, status: int, type_: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"https://motcua.vn/problems/{type_}"
    assert body["instance"] == "/api/v1/me/documents"
    return body


@pytest.fixture
def wallet(tmp_path: Path) -> TestClient:
    return _wallet(tmp_path, InMemoryBlobStore(max_bytes=MAX_BYTES))


def test_a_file_too_large_is_413_with_the_limit_in_vietnamese(wallet: TestClient) -> None:
    body = _problem(_upload(wallet, PDF + bytes(MAX_BYTES)), 413, "file-too-large")
    assert body["detail"] == "Tệp vượt quá 1 MiB."


def test_a_file_of_a_type_not_allowed_is_415_in_vietnamese(wallet: TestClient) -> None:
    body = _problem(_upload(wallet, b"MZ\x90\x00" + bytes(60)), 415, "file-type-not-allowed")
    assert body["detail"] == "Chỉ chấp nhận tệp PDF, JPEG hoặc PNG."


def test_an_allowed_file_is_kept(wallet: TestClient) -> None:
    response = _upload(wallet, PDF)
    assert response.status_code == 201, response.text
    assert response.json()["file"]["content_type"] == "application/pdf"


def test_a_file_missing_from_the_store_is_the_documents_404(tmp_path: Path) -> None:
    blobs = InMemoryBlobStore(max_bytes=MAX_BYTES)
    wallet = _wallet(tmp_path, blobs)
    document_id = _upload(wallet, PDF).json()["id"]
    blobs.blobs.clear()
    response = wallet.get(f"/api/v1/me/documents/{document_id}/file", headers=OWNER)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")
    assert response.json()["detail"] == "Không tìm thấy tệp của giấy tờ này."


def test_an_unreachable_file_store_is_503_with_retry_after(tmp_path: Path) -> None:
    response = _upload(_wallet(tmp_path, UnreachableBlobStore()), PDF)
    body = _problem(response, 503, "file-store-unavailable")
    assert response.headers["retry-after"] == "5"
    assert str(body["detail"]).startswith("Kho lưu trữ tệp tạm thời không truy cập được")
    assert "EndpointConnectionError" not in response.text  # no internals to the user


def test_a_hostile_file_name_is_stored_plain(wallet: TestClient) -> None:
    response = wallet.post(
        "/api/v1/me/documents",
        headers=OWNER,
        data={"type": "cccd", "number": "001090000001"},
        files={"file": ("../../C:\\x\\cccd \u202efdp.exe", PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    assert response.json()["file"]["name"] == "cccd fdp.exe"
