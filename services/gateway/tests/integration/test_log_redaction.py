"""The gateway's real log output (``python -m services.gateway``, its stderr read back)
keeps no lookup factor, VNPay parameter, token or cookie of the requests it served: its
line per upstream call names the parameters with their values redacted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from services.gateway.domain.routing import SERVICES
from services.gateway.tests.servers import closed_port, echo_app, serving

pytestmark = pytest.mark.integration

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl"
SECRETS = ("7391", "NB.HOALU-261122-ABCDEFGHJ", "vnp-hash-0042", "link-token-77", JWT, "ref-sid.9x")
REQUESTS = (
    "/api/v1/lookup/NB.HOALU-261122-ABCDEFGHJ?id_last4=7391",
    "/tra-cuu?ma=NB.HOALU-261122-ABCDEFGHJ&cccd=7391",
    "/api/v1/payments/vnpay/ipn?vnp_Amount=800000&vnp_TxnRef=o-1&vnp_SecureHash=vnp-hash-0042",
    "/api/v1/catalog/procedures?access_token=link-token-77&q=khai+sinh",
)


@pytest.fixture
def gateway_log() -> Iterator[tuple[str, Any]]:
    """A gateway process in front of echo upstreams; yields its URL and its stderr file."""
    with ExitStack() as stack:
        urls = {name: stack.enter_context(serving(echo_app(name))) for name in SERVICES}
        port = closed_port()
        env = {
            **os.environ,
            "MOTCUA_GATEWAY_PORT": str(port),
            "MOTCUA_GATEWAY_RATE_LIMITS_ENABLED": "false",
            **{f"MOTCUA_GATEWAY_{name.upper()}_URL": url for name, url in urls.items()},
        }
        stderr = stack.enter_context(tempfile.TemporaryFile("w+"))
        process = subprocess.Popen(
            [sys.executable, "-m", "services.gateway"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
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
                assert process.poll() is None, "the gateway stopped"
                assert time.monotonic() < deadline, "the gateway did not start"
                time.sleep(0.2)
            yield url, stderr
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_the_gateways_log_keeps_no_secret_of_a_request(gateway_log: tuple[str, Any]) -> None:
    url, stderr = gateway_log
    cookie = {"Cookie": f"motcua_csrf={SECRETS[5]}"}
    with httpx.Client(base_url=url, trust_env=False) as client:
        for path in REQUESTS:
            assert client.get(path, headers=cookie).status_code == 200, path
        refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {JWT}", **cookie})
        assert refused.status_code == 401  # a forged token: refused, and logged as such
    time.sleep(0.5)  # the last lines reach stderr
    stderr.seek(0)
    text = stderr.read()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    calls = [line["message"] for line in lines if line["logger"] == "httpx"]
    assert any("/api/v1/lookup/" in call and "id_last4=[redacted]" in call for call in calls)
    assert any("vnp_SecureHash=[redacted]" in call for call in calls)
    assert any("access_token=[redacted]&q=khai+sinh" in call for call in calls)
    for secret in SECRETS[:1] + SECRETS[2:]:
        assert secret not in text, secret
