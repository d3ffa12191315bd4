"""The payment process answers health probes; everything it keeps is in PostgreSQL, in its
own schema, and it does not start without it."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from services.payment.entrypoints.http.app import build_app
from services.payment.settings import PaymentSettings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_schema_defaults_to_payment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_PAYMENT_POSTGRES_SCHEMA", raising=False)
    assert PaymentSettings(sandbox=True).pg_schema() == "payment"
    monkeypatch.setenv("MOTCUA_PAYMENT_POSTGRES_SCHEMA", "t1234")
    assert PaymentSettings(sandbox=True).pg_schema() == "t1234"


def test_the_event_store_is_postgres_in_the_service_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_PAYMENT_POSTGRES_SCHEMA", raising=False)
    monkeypatch.setenv("MOTCUA_POSTGRES_DSN", "postgresql://motcua:secret@db.example:5433/motcua")
    env = PaymentSettings(sandbox=True).eventstore_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example", "5433")
    assert env["POSTGRES_SCHEMA"] == "payment"


def test_without_postgres_the_service_does_not_start() -> None:
    settings = PaymentSettings(
        sandbox=True, postgres_dsn=f"postgresql://motcua:motcua@127.0.0.1:{_closed_port()}/motcua"
    )
    app = build_app(settings)
    with pytest.raises(Exception, match=r"127\.0\.0\.1"), TestClient(app):
        pass
