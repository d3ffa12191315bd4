"""The identity process answers health probes, is not ready without PostgreSQL, and
answers requests meanwhile with a 503 problem, never a 500."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.identity.entrypoints.http.app import build_app
from services.identity.settings import IdentitySettings
from shared.http import app as http_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unreachable(tmp_path: Path) -> IdentitySettings:
    return IdentitySettings(
        postgres_dsn=f"postgresql://motcua@127.0.0.1:{_closed_port()}/motcua",
        kafka_bootstrap_servers=f"127.0.0.1:{_closed_port()}",
        data_dir=tmp_path,
    )


def test_settings_read_the_identity_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_IDENTITY_PORT", "8123")
    monkeypatch.setenv("MOTCUA_IDENTITY_POSTGRES_SCHEMA", "other")
    settings = IdentitySettings()
    assert (settings.port, settings.pg_schema()) == (8123, "other")


def test_the_schema_defaults_to_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_IDENTITY_POSTGRES_SCHEMA", raising=False)
    assert IdentitySettings().pg_schema() == "identity"


def test_alive_but_not_ready_while_postgres_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 0.5)
    with TestClient(build_app(_unreachable(tmp_path))) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "identity"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert set(ready.json()["failing"]) == {"postgres", "relay"}
        assert client.get("/metrics").status_code == 200
        refused = client.post(
            "/api/v1/auth/login", json={"email": "hoa@example.vn", "password": "mật khẩu bất kỳ"}
        )
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/store-unavailable")
        assert refused.json()["detail"].startswith("Hệ thống tạm thời")
        assert refused.headers["Retry-After"] == "5"


def test_a_connection_lost_mid_request_is_a_503_problem(tmp_path: Path) -> None:
    app = build_app(_unreachable(tmp_path))

    async def lost(*args: Any, **kwargs: Any) -> int:
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    app.state.identity.store.take_attempt = lost
    with TestClient(app) as client:
        refused = client.post(
            "/api/v1/auth/register",
            json={
                "email": "hoa@example.vn",
                "password": "Hoa sen nở giữa đầm 2025",
                "full_name": "Nguyễn Thị Hoa",
            },
        )
    assert refused.status_code == 503, refused.text
    assert refused.json()["type"].endswith("/store-unavailable")
