"""The catalog process answers health probes and is not ready without PostgreSQL; a request
while PostgreSQL does not answer is a 503 problem, never a 500."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from services.catalog.entrypoints.http.app import build_app
from services.catalog.settings import CatalogSettings
from shared.http import app as http_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unreachable() -> CatalogSettings:
    return CatalogSettings(
        postgres_dsn=f"postgresql://catalog:x@127.0.0.1:{_closed_port()}/motcua",
        kafka_bootstrap_servers=f"127.0.0.1:{_closed_port()}",
    )


def test_settings_read_the_catalog_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_CATALOG_PORT", "8123")
    monkeypatch.setenv("MOTCUA_CATALOG_POSTGRES_SCHEMA", "other")
    settings = CatalogSettings()
    assert (settings.port, settings.pg_schema()) == (8123, "other")


def test_the_schema_defaults_to_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_CATALOG_POSTGRES_SCHEMA", raising=False)
    assert CatalogSettings().pg_schema() == "catalog"


def test_alive_but_not_ready_while_postgres_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 0.5)
    with TestClient(build_app(_unreachable())) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "catalog"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert set(ready.json()["failing"]) == {"postgres", "outbox"}
        assert client.get("/metrics").status_code == 200


def test_requests_answer_503_while_postgres_does_not_answer() -> None:
    with TestClient(build_app(_unreachable())) as client:
        for path in (
            "/api/v1/catalog/procedures",
            "/api/v1/catalog/procedures/1.001193",
            "/api/v1/catalog/agencies",
        ):
            response = client.get(path, params={"q": "khai sinh"})
            assert response.status_code == 503, path
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "5"
            problem = response.json()
            assert problem["type"].endswith("/store-unavailable")
            assert problem["detail"].startswith("Cơ sở dữ liệu danh mục thủ tục")
