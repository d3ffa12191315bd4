"""The gateway stays ready while a service is down, and says which on its landing page."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway.adapters.health import CachedHealthProbe
from services.gateway.application.ports import Health
from services.gateway.domain.routing import SERVICES
from services.gateway.settings import GatewaySettings


def test_ready_when_every_service_answers(gateway: httpx.Client) -> None:
    assert gateway.get("/readyz").status_code == 200
    assert gateway.get("/healthz").json() == {"status": "ok", "service": "gateway"}


def test_still_ready_while_a_service_is_down(gateway_dossier_down: httpx.Client) -> None:
    assert gateway_dossier_down.get("/readyz").status_code == 200
    response = gateway_dossier_down.get("/api/v1/dossiers")
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_landing_page_lists_every_service_and_its_health(
    gateway_dossier_down: httpx.Client,
) -> None:
    response = gateway_dossier_down.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>Cổng dịch vụ công Một Cửa</title>" in page
    assert all(label in page for label in SERVICES.values())
    assert page.count("Không phản hồi") == 1
    assert page.count("Đang hoạt động") == len(SERVICES) - 1


def test_missing_upstream_urls_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SERVICES:
        monkeypatch.delenv(f"MOTCUA_GATEWAY_{name.upper()}_URL", raising=False)
    monkeypatch.setenv("MOTCUA_GATEWAY_DOSSIER_URL", "http://dossier:8000/")
    settings = GatewaySettings()
    assert settings.port == 8000
    with pytest.raises(RuntimeError, match="MOTCUA_GATEWAY_IDENTITY_URL") as raised:
        settings.upstreams()
    assert "MOTCUA_GATEWAY_DOSSIER_URL" not in str(raised.value)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting_client(down: set[str]) -> tuple[httpx.AsyncClient, list[str]]:
    probed: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        probed.append(request.url.host)
        return httpx.Response(503 if request.url.host in down else 200)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer)), probed


async def test_home_page_health_is_probed_once_per_ttl() -> None:
    down: set[str] = set()
    client, probed = counting_client(down)
    clock = Clock()
    upstreams = {"dossier": "http://dossier", "catalog": "http://catalog"}
    probe = CachedHealthProbe(client, upstreams, ttl_seconds=5, clock=clock)

    first = await probe()
    assert first == Health({"dossier": True, "catalog": True}, probes=2)
    down.add("dossier")
    clock.now = 4.9
    assert await probe() == Health({"dossier": True, "catalog": True}, probes=0)
    assert len(probed) == 2
    clock.now = 5.0
    assert await probe() == Health({"dossier": False, "catalog": True}, probes=2)
    assert len(probed) == 4
    await client.aclose()


async def test_concurrent_views_share_one_round_of_probes() -> None:
    client, probed = counting_client(set())
    probe = CachedHealthProbe(client, {"identity": "http://identity"}, clock=Clock())
    answers = await asyncio.gather(*(probe() for _ in range(5)))
    assert {a.services["identity"] for a in answers} == {True}
    assert sum(a.probes for a in answers) == 1
    assert probed == ["identity"]
    await client.aclose()
