"""One order, one charge, on the real engines and the real sandbox, through the payment
API as production runs it (two API processes): 20 concurrent checkouts open one attempt;
once it expired at the provider, 20 more close it and open exactly one other. The payer
pays every link handed out while our IPN address is down; when it is back, the sandbox's
retries arrive: one charge is kept, the other is refunded at the sandbox by the worker,
the order is paid once, and its history holds the late charge and its refund."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.payment.adapters.vnpay import protocol
from services.payment.tests.integration.support import (
    PaymentSuite,
    browser_pays,
    distinct_ids,
    officer,
    payment_suite,
    result_params,
    wait_for,
)
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.integration
TTL = "8"  # seconds an attempt stays payable at the provider
CHECKOUTS = 20


def _checkouts(
    suite: PaymentSuite, apis: list[ServiceProcess], payer: str, order_id: str
) -> list[dict[str, Any]]:
    """``CHECKOUTS`` at once, each with its own key, spread over the API processes."""

    def one(index: int) -> dict[str, Any]:
        url = apis[index % len(apis)].url
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
            return suite.checkout(client, payer, order_id)

    with ThreadPoolExecutor(CHECKOUTS) as pool:
        return list(pool.map(one, range(CHECKOUTS)))


def _links(answers: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(a["attempt_id"], a["payment_url"], a["amount"]) for a in answers}


def test_twenty_checkouts_open_one_attempt_and_a_charge_on_a_closed_one_is_refunded(
    engines: Engines, tmp_path: Path
) -> None:
    with payment_suite(engines, tmp_path, MOTCUA_PAYMENT_CHECKOUT_TTL_SECONDS=TTL) as suite:
        second = suite.another_api(MOTCUA_PAYMENT_CHECKOUT_TTL_SECONDS=TTL).start()
        payer = f"citizen-{uuid.uuid4().hex[:8]}"
        dossier_id, _ = suite.request_payment(payer=payer, amount=120_000)
        with suite.client() as api:
            order_id = str(suite.order_of(api, payer, dossier_id)["id"])

        [first] = _links(_checkouts(suite, [suite.api, second], payer, order_id))
        first_ref, first_url, amount = first
        assert amount == 120_000

        suite.api.stop()  # the sandbox's IPN address: down for a while
        paid_late = browser_pays(first_url)  # charged; its IPN does not get through
        started = datetime.now(UTC)
        time.sleep(int(TTL) + 1)  # the first attempt expired at the provider

        [current] = _links(_checkouts(suite, [second], payer, order_id))
        current_ref, current_url, _ = current
        assert current_ref != first_ref
        browser_pays(current_url)  # paid too, with the page of the new attempt

        suite.api.start()  # the sandbox's retries now reach us
        with suite.client() as api:

            def settled() -> dict[str, Any] | None:
                view = suite.order(api, payer, order_id)
                done = view["status"] == "paid" and view["refunds"] and not view["refund_due"]
                return view if done else None

            view = wait_for(settled, 120, "the order paid and the late charge refunded")
            page = api.get("/api/v1/payments/vnpay/return", params=result_params(paid_late))
            assert "sẽ được hoàn lại cho bạn" in page.text  # what the payer is told

        assert view["payment"]["attempt_id"] == current_ref  # the charge kept
        [late] = view["extra_payments"]
        assert (late["attempt_id"], late["amount"], late["refunded"]) == (first_ref, amount, amount)
        [refund] = view["refunds"]
        assert (refund["amount"], refund["by"]) == (amount, "payment")
        assert refund["provider_ref"] and "thay bằng lượt khác" in refund["reason"]
        assert [a["attempt_id"] for a in view["attempts"]] == [first_ref, current_ref]

        days = {protocol.format_date(started)[:8], protocol.format_date(datetime.now(UTC))[:8]}
        held = suite.sandbox_holds(order_id, days)
        assert set(held) == {first_ref, current_ref}  # every link handed out was paid
        assert all(txn.paid and txn.amount == amount for txn in held.values())
        assert held[first_ref].refunded == amount  # given back at the provider
        assert held[current_ref].refunded == 0  # the one charge kept

        with suite.client() as api:  # the agency's reconciliation agrees with the sandbox
            for day in days:
                report = api.get(
                    "/api/v1/payments/reconciliation",
                    headers=officer("officer-3", "HN.TP", "agency_admin"),
                    params={"date": f"{day[:4]}-{day[4:6]}-{day[6:]}"},
                ).json()
                assert report["mismatches"] == [], report

        history = suite.stored_events(order_id)
        names = [type(e).__name__ for e in history]
        assert names.count("AttemptStarted") == 2 and names.count("AttemptFailed") == 1
        assert names.count("Paid") == 1
        assert names.count("ChargedOnClosedAttempt") == 1 and names.count("Refunded") == 1
        [refunded] = [e for e in history if type(e).__name__ == "Refunded"]
        assert refunded.actor["id"] == "payment" and refunded.attempt_id == first_ref
        assert refunded.timestamp >= started

        wait_for(lambda: "order_refunded" in suite.kinds(order_id), 60, "order_refunded on Kafka")
        events = suite.payment_events(order_id)
        assert len(distinct_ids(events, "order_paid")) == 1  # the dossier moves on once
        assert len(distinct_ids(events, "attempt_started")) == 2
