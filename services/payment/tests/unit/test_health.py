"""The payment process answers health probes; readiness checks MongoDB and its event store."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.payment.main import build_app
from services.payment.settings import PaymentSettings
from shared.http import app as http_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mongo_database_defaults_to_motcua_payment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_PAYMENT_MONGO_DATABASE", raising=False)
    assert PaymentSettings().mongo_database == "motcua_payment"


def test_event_store_defaults_to_sqlite_under_the_state_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("MOTCUA_PAYMENT_EVENT_STORE", raising=False)
    env = PaymentSettings().eventstore_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "payment" / "events.db")


def test_postgres_event_store_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_PAYMENT_EVENT_STORE", "postgres")
    monkeypatch.setenv("MOTCUA_POSTGRES_DSN", "postgresql://motcua:secret@db.example:5433/motcua")
    env = PaymentSettings().eventstore_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example", "5433")


def test_ready_needs_mongo_and_the_event_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 0.5)
    settings = PaymentSettings(
        mongo_url=f"mongodb://127.0.0.1:{_closed_port()}/",
        event_store="sqlite",
        sqlite_path=tmp_path / "events.db",
    )
    with TestClient(build_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "payment"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        # The SQLite store answers; only MongoDB is missing.
        assert set(ready.json()["failing"]) == {"mongo"}
