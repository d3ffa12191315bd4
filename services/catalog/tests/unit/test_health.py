"""The catalog process answers health probes and is not ready without MongoDB."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from services.catalog.main import build_app
from services.catalog.settings import CatalogSettings
from shared.http import app as http_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_settings_read_the_catalog_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_CATALOG_PORT", "8123")
    monkeypatch.setenv("MOTCUA_CATALOG_MONGO_DATABASE", "other")
    settings = CatalogSettings()
    assert (settings.port, settings.mongo_database) == (8123, "other")


def test_mongo_database_defaults_to_motcua_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_CATALOG_MONGO_DATABASE", raising=False)
    assert CatalogSettings().mongo_database == "motcua_catalog"


def test_alive_but_not_ready_while_mongo_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 0.5)
    settings = CatalogSettings(mongo_url=f"mongodb://127.0.0.1:{_closed_port()}/",
                               kafka_bootstrap_servers=f"127.0.0.1:{_closed_port()}")
    with TestClient(build_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "catalog"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert set(ready.json()["failing"]) == {"mongo", "outbox"}
        assert client.get("/metrics").status_code == 200
