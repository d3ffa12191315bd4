"""The identity process answers health probes and is not ready without MongoDB."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.identity.main import build_app
from services.identity.settings import IdentitySettings
from shared.http import app as http_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_settings_read_the_identity_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_IDENTITY_PORT", "8123")
    monkeypatch.setenv("MOTCUA_IDENTITY_MONGO_DATABASE", "other")
    settings = IdentitySettings()
    assert (settings.port, settings.mongo_database) == (8123, "other")


def test_mongo_database_defaults_to_motcua_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_IDENTITY_MONGO_DATABASE", raising=False)
    assert IdentitySettings().mongo_database == "motcua_identity"


def test_alive_but_not_ready_while_mongo_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 0.5)
    settings = IdentitySettings(
        mongo_url=f"mongodb://127.0.0.1:{_closed_port()}/",
        kafka_bootstrap_servers=f"127.0.0.1:{_closed_port()}",
        data_dir=tmp_path,
    )
    with TestClient(build_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "identity"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert set(ready.json()["failing"]) == {"mongo", "relay"}
        assert client.get("/metrics").status_code == 200
