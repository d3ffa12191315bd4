"""The gateway stays ready while a service is down, and says which on its landing page."""

from __future__ import annotations

import httpx
import pytest

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
