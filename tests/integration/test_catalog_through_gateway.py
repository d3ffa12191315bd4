"""A citizen reaches the catalogue through the gateway without logging in; caller
headers forged from outside never make anyone an admin."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from services.catalog.tests.integration.support import running_catalog
from services.gateway.domain.routing import SERVICES
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.integration
FORGED = {"X-Motcua-User-Id": "admin-1", "X-Motcua-Role": "admin"}


def test_search_read_and_download_through_the_gateway(engines: Engines, tmp_path: Path) -> None:
    with running_catalog(engines, tmp_path) as catalog:
        upstreams = {
            f"MOTCUA_GATEWAY_{name.upper()}_URL": "http://127.0.0.1:9" for name in SERVICES
        }
        upstreams["MOTCUA_GATEWAY_CATALOG_URL"] = str(catalog.api.base_url).rstrip("/")
        gateway = ServiceProcess(
            "services.gateway", {**engines.env(), **upstreams}, "MOTCUA_GATEWAY_PORT", tmp_path
        ).start()
        try:
            with httpx.Client(base_url=gateway.url, trust_env=False, timeout=30) as edge:
                found = edge.get("/api/v1/catalog/procedures", params={"q": "dang ky khai sinh"})
                assert found.status_code == 200
                assert found.json()["items"][0]["code"] == "1.001193"
                birth = edge.get("/api/v1/catalog/procedures/1.001193").json()
                assert birth["name"] == "Đăng ký khai sinh"
                form = edge.get("/api/v1/catalog/procedures/1.001193/templates/TK")
                assert form.status_code == 200
                assert unquote(form.headers["content-disposition"].split("''")[1]) == (
                    "Tờ khai đăng ký khai sinh.docx"
                )
                assert edge.get("/api/v1/catalog/calendar/2026").status_code == 200

                forged = edge.put(  # the caller headers services once trusted, set from outside
                    "/api/v1/catalog/fields/HOTICH", headers=FORGED, json={"name": "Bị đổi tên"}
                )
                assert forged.status_code in (401, 403)
                assert forged.headers["content-type"] == "application/problem+json"
            fields = catalog.api.get("/api/v1/catalog/fields").json()["items"]
            assert {"code": "HOTICH", "name": "Hộ tịch"} in fields
        finally:
            gateway.stop()
