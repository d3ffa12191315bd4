"""The document wallet's file store errors as problems: a store that cannot be reached is
a 503 the user may retry, not a refusal of their file."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.identity.entrypoints.http import errors
from shared.blobstore import BlobNotFoundError, BlobTypeNotAllowedError, BlobUnavailableError
from shared.problems import install_problem_handlers


def _client(error: Exception) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    errors.install(app)

    @app.post("/api/v1/me/documents")
    def add() -> None:
        raise error

    return TestClient(app)


def test_an_unreachable_file_store_is_503_with_retry_after() -> None:
    response = _client(BlobUnavailableError("put: EndpointConnectionError")).post(
        "/api/v1/me/documents"
    )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["type"].endswith("/file-store-unavailable")
    assert body["detail"].startswith("Kho lưu trữ tệp tạm thời không truy cập được")
    assert "EndpointConnectionError" not in response.text  # no internals to the user


def test_a_refused_file_is_still_415() -> None:
    response = _client(BlobTypeNotAllowedError("application/x-msdownload")).post(
        "/api/v1/me/documents"
    )
    assert response.status_code == 415
    assert response.json()["type"].endswith("/file-type-not-allowed")


def test_a_file_missing_from_the_store_is_404_not_a_refused_type() -> None:
    response = _client(BlobNotFoundError("ab" * 32)).post("/api/v1/me/documents")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")
