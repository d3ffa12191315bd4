from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from starlette.applications import Starlette

from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.app import build_app
from services.gateway.settings import GatewaySettings
from services.gateway.tests.servers import (
    MAX_BODY,
    UPSTREAM_TIMEOUT,
    closed_port,
    echo_app,
    serving,
    upstream_urls,
)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, tuple[str, Starlette]]]:
    """One real echo server per service: name -> (base URL, app)."""
    with ExitStack() as stack:
        apps = {name: echo_app(name) for name in SERVICES}
        yield {name: (stack.enter_context(serving(app)), app) for name, app in apps.items()}


@contextmanager
def _gateway(urls: dict[str, str]) -> Iterator[httpx.Client]:
    """A real gateway in front of ``urls`` and a client talking to it over HTTP."""
    settings = GatewaySettings(
        **upstream_urls(urls),
        max_body_bytes=MAX_BODY,
        rate_limits_enabled=False,  # counted in PostgreSQL: tests/integration cover them
        upstream_timeout=UPSTREAM_TIMEOUT,
    )
    with serving(build_app(settings)) as url, httpx.Client(base_url=url, trust_env=False) as c:
        yield c


@pytest.fixture(scope="module")
def gateway(upstreams: dict[str, tuple[str, Starlette]]) -> Iterator[httpx.Client]:
    with _gateway({name: url for name, (url, _) in upstreams.items()}) as client:
        yield client


@pytest.fixture(scope="module")
def gateway_dossier_down(upstreams: dict[str, tuple[str, Starlette]]) -> Iterator[httpx.Client]:
    """A gateway whose dossier upstream has nothing listening on its port."""
    urls = {name: url for name, (url, _) in upstreams.items()}
    urls["dossier"] = f"http://127.0.0.1:{closed_port()}"
    with _gateway(urls) as client:
        yield client
