"""The gateway as several worker processes (``MOTCUA_GATEWAY_WORKERS``): every worker
answers on the one port, and ``/metrics`` counts the requests of all of them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from services.gateway.domain.routing import SERVICES
from services.gateway.tests.servers import closed_port

pytestmark = pytest.mark.integration
REQUESTS = 40


@pytest.fixture
def two_workers() -> Iterator[str]:
    port = closed_port()
    env = {
        **os.environ,
        "MOTCUA_GATEWAY_PORT": str(port),
        "MOTCUA_GATEWAY_WORKERS": "2",
        "MOTCUA_GATEWAY_RATE_LIMITS_ENABLED": "false",
        # the pages counted here ask no upstream: nothing needs to listen
        **{
            f"MOTCUA_GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{closed_port()}"
            for name in SERVICES
        },
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.gateway"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def serving_pids(port: str) -> set[str]:
    """The workers that counted something: their metric files are named by pid."""
    files = fresh_dir(port).glob("counter_*.db")
    return {f.stem.removeprefix("counter_") for f in files}


def fresh_dir(port: str) -> Path:
    return Path(tempfile.gettempdir()) / f"motcua-metrics-gateway-{port}"


def test_metrics_sum_the_requests_of_every_worker(two_workers: str) -> None:
    def page(_: int) -> int:  # a new connection each time, several at once: both workers serve
        with httpx.Client(base_url=two_workers, trust_env=False) as client:
            return client.get("/dang-nhap").status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(page, range(REQUESTS))) == {200}
    assert len(serving_pids(two_workers.rsplit(":", 1)[1])) == 2
    with httpx.Client(base_url=two_workers, trust_env=False) as client:
        pages = [client.get("/metrics").text for _ in range(4)]
    counted = [
        float(found.group(1))
        for page in pages
        if (
            found := re.search(
                r'motcua_http_requests_total\{method="GET",status="200"\} (\S+)', page
            )
        )
    ]
    # the requests fell on both workers, and every page says all of them (and the /healthz
    # polls before), whichever worker answers it
    assert len(counted) == 4 and all(count >= REQUESTS for count in counted)
    assert max(counted) - min(counted) <= 4  # only the /metrics reads between them differ
