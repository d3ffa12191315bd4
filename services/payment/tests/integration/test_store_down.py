"""PostgreSQL going away under a running payment service: requests get a 503 problem in
Vietnamese (never a 500) and readiness names the store."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.payment.entrypoints.http.app import build_app
from services.payment.settings import PaymentSettings
from services.payment.tests.integration.support import citizen
from shared.http import app as http_app
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


class Forwarder:
    """A TCP relay to PostgreSQL that the test can cut, as a network failure would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
                self.sockets += [client, server]
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        for sock in self.sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def forwarded_dsn(engines: Engines, run_id: str) -> Iterator[tuple[str, Forwarder]]:
    url = urlsplit(engines.postgres_dsn)
    forwarder = Forwarder(url.hostname or "127.0.0.1", url.port or 5432)
    netloc = f"{url.username}:{url.password}@127.0.0.1:{forwarder.port}"
    yield urlunsplit(url._replace(netloc=netloc)), forwarder
    forwarder.cut()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def test_a_lost_store_answers_503_and_readiness_names_it(
    forwarded_dsn: tuple[str, Forwarder], run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_app, "READINESS_TIMEOUT", 2.0)
    dsn, forwarder = forwarded_dsn
    settings = PaymentSettings(sandbox=True, postgres_dsn=dsn, postgres_schema=run_id)
    with TestClient(build_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": "payment"}
        assert client.get("/readyz").status_code == 200
        listed = client.get("/api/v1/payments/orders", headers=citizen("citizen-1"))
        assert listed.json() == {"items": [], "next": None}

        forwarder.cut()
        refused = client.get("/api/v1/payments/orders", headers=citizen("citizen-1"))
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["type"].endswith("/store-unavailable")
        assert refused.json()["detail"] == (
            "Dịch vụ thanh toán tạm thời không truy cập được dữ liệu, vui lòng thử lại sau."
        )
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "postgres" in ready.json()["failing"]
