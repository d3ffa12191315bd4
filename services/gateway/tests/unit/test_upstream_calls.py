"""A page says how many upstream calls it cost (Server-Timing), so slow pages can be
told apart from pages that merely ask too much."""

from __future__ import annotations

import httpx

from services.gateway.domain.routing import SERVICES


def test_the_home_page_counts_its_catalog_call_and_one_probe_per_service(
    gateway: httpx.Client,
) -> None:
    response = gateway.get("/")
    assert response.status_code == 200
    assert response.headers["server-timing"] == f'upstream;desc="{1 + len(SERVICES)} calls"'
    again = gateway.get("/")  # the services' health is kept for a few seconds
    assert again.headers["server-timing"] == 'upstream;desc="1 calls"'


def test_a_page_without_upstream_calls_and_a_proxied_call_say_nothing(
    gateway: httpx.Client,
) -> None:
    login = gateway.get("/dang-nhap")
    assert login.status_code == 200
    assert "server-timing" not in login.headers
    assert "server-timing" not in gateway.get("/api/v1/catalog/procedures").headers
