"""The provider reaches us the way it would in production: its IPN and the citizen's
browser return go through the gateway (no caller headers, no token), and the IPN still
pays the order exactly once."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from services.gateway.domain.routing import SERVICES
from services.payment.adapters.vnpay import protocol
from services.payment.tests.integration.support import (
    browser_pays,
    distinct_ids,
    payment_suite,
    result_params,
    wait_for,
)
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.integration


def test_the_sandbox_notifies_through_the_gateway(engines: Engines, tmp_path: Path) -> None:
    with payment_suite(engines, tmp_path) as suite:
        upstreams = {
            f"MOTCUA_GATEWAY_{name.upper()}_URL": "http://127.0.0.1:9" for name in SERVICES
        }
        upstreams["MOTCUA_GATEWAY_PAYMENT_URL"] = suite.api.url
        gateway = ServiceProcess(
            "services.gateway", {**suite.env, **upstreams}, "MOTCUA_GATEWAY_PORT", tmp_path
        )
        gateway.start()
        suite.extra.append(gateway)
        suite.sandbox.stop()
        suite.sandbox.env["MOTCUA_PAYMENT_SANDBOX_IPN_URL"] = (
            f"{gateway.url}/api/v1/payments/vnpay/ipn"
        )
        suite.sandbox.start()

        payer = f"citizen-{uuid.uuid4().hex[:8]}"
        dossier_id, _ = suite.request_payment(payer=payer, amount=45_000)
        with suite.client() as api:
            order = suite.order_of(api, payer, dossier_id)
            attempt = suite.checkout(api, payer, order["id"])
            redirect = browser_pays(attempt["payment_url"], "pay")
            wait_for(
                lambda: suite.order(api, payer, order["id"])["status"] == "paid",
                30,
                "the IPN through the gateway",
            )
            notification = result_params(redirect)
            with httpx.Client(base_url=gateway.url, trust_env=False, timeout=30) as edge:
                again = edge.get("/api/v1/payments/vnpay/ipn", params=notification)
                assert again.json() == protocol.IPN_CONFIRMED
                page = edge.get("/api/v1/payments/vnpay/return", params=notification)
                assert page.status_code == 200 and "Thanh toán thành công" in page.text
                forged = edge.get(
                    "/api/v1/payments/vnpay/ipn", params={**notification, "vnp_Amount": "100"}
                )
                assert forged.json()["RspCode"] == "97"
            assert suite.order(api, payer, order["id"])["status"] == "paid"
        events = wait_for(
            lambda: (lambda e: e if distinct_ids(e, "order_paid") else None)(
                suite.payment_events(order["id"])
            ),
            30,
            "order_paid",
        )
        assert len(distinct_ids(events, "order_paid")) == 1
