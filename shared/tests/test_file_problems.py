"""The file store's errors reach people as problems, never a 500: a missing file is 404, a
refused one 413/415, a store that cannot be reached (S3 down, a disk that refuses us) 503
with Retry-After; every service gets this from ``create_app``."""

from __future__ import annotations

import socket
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

from shared.blobstore import BlobStore, LocalBlobStore
from shared.blobstore_s3 import S3BlobStore, s3_client
from shared.http.app import create_app

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MISSING = "ab" * 32


def _client(blobs: BlobStore) -> TestClient:
    app = create_app("test")

    @app.get("/files/{sha256}")
    def download(sha256: str) -> int:
        return len(blobs.get(sha256))

    @app.post("/files")
    def upload(data: str) -> str:
        return blobs.put(data.encode("latin-1"))

    return TestClient(app, raise_server_exceptions=False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def _problem(response: Response, status: int, type_: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert str(body["type"]).endswith(f"/{type_}")
    return body


def test_a_file_missing_from_the_store_is_404(tmp_path: Path) -> None:
    body = _problem(
        _client(LocalBlobStore(tmp_path)).get(f"/files/{MISSING}"), 404, "file-not-found"
    )
    assert body["detail"] == "Không tìm thấy tệp được yêu cầu."


def test_refused_files_are_413_and_415(tmp_path: Path) -> None:
    client = _client(LocalBlobStore(tmp_path, max_bytes=16))
    too_large = _problem(client.post("/files", params={"data": "x" * 17}), 413, "file-too-large")
    assert "MiB" in str(too_large["detail"])
    client = _client(LocalBlobStore(tmp_path))
    # an executable's header (without its NUL: a query carrying %00 is refused first, 422)
    _problem(client.post("/files", params={"data": "MZ\x90\x03"}), 415, "file-type-not-allowed")


def test_an_s3_store_nobody_answers_is_503_to_retry() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    client = _client(S3BlobStore(s3_client(url, "key", "secret"), "motcua-test"))
    for response in (
        client.get(f"/files/{MISSING}"),
        client.post("/files", params={"data": PDF.decode("latin-1")}),
    ):
        body = _problem(response, 503, "file-store-unavailable")
        assert response.headers["retry-after"] == "5"
        assert str(body["detail"]).startswith("Kho lưu trữ tệp tạm thời không truy cập được")
        assert "127.0.0.1" not in response.text and "Endpoint" not in response.text


def test_a_disk_that_refuses_the_file_is_503_not_500(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.write_bytes(b"")  # a file where the store's folder should be
    response = _client(LocalBlobStore(root)).post("/files", params={"data": PDF.decode("latin-1")})
    _problem(response, 503, "file-store-unavailable")
    assert response.headers["retry-after"] == "5"
