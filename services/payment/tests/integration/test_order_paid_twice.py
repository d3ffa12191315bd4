"""An order paid at the office, then paid again online by the payer who still had the
provider's page open, on the real engines: the second payment is recorded
(``order_paid_twice``, answered ``00``), the order stays paid with its office receipt,
and the worker gives that money back at the provider by itself (``order_refunded``,
by the system)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from services.payment.tests.integration.support import (
    PaymentSuite,
    browser_pays,
    citizen,
    distinct_ids,
    officer,
    payment_suite,
    result_params,
    wait_for,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
AGENCY = "HN.TP"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaymentSuite]:
    with payment_suite(engines, tmp_path_factory.mktemp("payment-twice")) as started:
        yield started


def _sandbox(suite: PaymentSuite, txn_ref: str) -> tuple[Any, ...] | None:
    with sqlite3.connect(suite.env["MOTCUA_PAYMENT_SANDBOX_DB_PATH"]) as db:
        row = db.execute(
            "SELECT ipn_answer, refunded FROM txns WHERE txn_ref = ?", (txn_ref,)
        ).fetchone()
    return tuple(row) if row else None


def test_an_online_payment_of_an_order_paid_at_the_office_is_refunded_by_the_system(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        order_id = str(order["id"])
        payment_url = suite.checkout(api, payer, order_id)["payment_url"]
        suite.pay_at_office(api, order_id, "0000901", 150_000)

        # The payer still had the provider's page open and paid there too.
        redirect = browser_pays(payment_url)
        params = result_params(redirect)
        txn_ref = params["vnp_TxnRef"]
        answered = wait_for(
            lambda: (_sandbox(suite, txn_ref) or (None,))[0], 30, "the sandbox's IPN answer"
        )
        assert answered == "00"  # VNPay is told the notification was taken
        again = api.get("/api/v1/payments/vnpay/ipn", params=params).json()
        assert again["RspCode"] == "00"  # its redelivery: a no-op, the same answer

        def given_back() -> dict[str, Any] | None:
            view = suite.order(api, payer, order_id)
            return view if view["refunds"] and not view["refund_due"] else None

        view = wait_for(given_back, 60, "the second payment refunded by the worker")
        assert view["status"] == "paid"  # the office payment stands
        assert view["status_label"] == "Đã thanh toán; khoản nộp trùng đã được hoàn"
        assert view["payment"]["receipt_no"] == "0000901"  # the office receipt stands
        assert view["payment"]["method"] == "office"
        [extra] = view["extra_payments"]
        assert (extra["attempt_id"], extra["amount"], extra["refunded"]) == (
            txn_ref,
            150_000,
            150_000,
        )
        assert extra["provider_txn"] == params["vnp_TransactionNo"]
        [refund] = view["refunds"]
        assert (refund["amount"], refund["by"]) == (150_000, "payment")
        assert refund["provider_ref"] and "biên lai số 0000901" in refund["reason"]
        assert _sandbox(suite, txn_ref) == ("00", 150_000)  # refunded at the provider
        receipt = api.get(f"/api/v1/payments/orders/{order_id}/receipt", headers=citizen(payer))
        assert receipt.status_code == 200
        assert receipt.headers["content-disposition"].endswith('bien-lai-0000901.pdf"')
        page = api.get("/api/v1/payments/vnpay/return", params=params)
        assert "đã được thanh toán trước đó" in page.text and "hoàn lại" in page.text

        wait_for(
            lambda: "order_refunded" in suite.kinds(order_id),
            60,
            "order_refunded on the payment topic",
        )
        events = suite.payment_events(order_id)
        assert len(distinct_ids(events, "order_paid")) == 1  # the dossier moves on once
        assert len(distinct_ids(events, "order_paid_twice")) == 1
        assert len(distinct_ids(events, "order_refunded")) == 1  # given back once
        [twice] = [e for e in events if e.type == "vn.motcua.payment.order_paid_twice"]
        assert twice.data == {
            "order_id": order_id,
            "dossier_id": dossier_id,
            "amount": 150_000,
            "paid_at": extra["paid_at"],
            "method": extra["method"],
            "provider_txn": extra["provider_txn"],
            "attempt_id": txn_ref,
            "receipt_no": "0000901",
            "refund_due": 150_000,
        }

        # Nothing is left for an approver to give back.
        leader = officer("officer-9", AGENCY, "approver")
        more = api.post(
            f"/api/v1/payments/orders/{order_id}/refunds",
            headers={**leader, "Idempotency-Key": uuid.uuid4().hex},
            json={"amount": 150_001, "reason": "Hoàn khoản nộp trùng"},
        )
        assert more.status_code == 422
        assert more.headers["content-type"].startswith("application/problem+json")
        assert more.json()["detail"] == "Số tiền hoàn phải từ 1 đến 150.000 đồng."

        clerk = officer("officer-7", AGENCY, "receiver")

        def settled() -> bool:
            return not api.get(
                "/api/v1/payments/orders", headers=clerk, params={"refund_due": "true"}
            ).json()["items"]

        wait_for(settled, 60, "nothing left owed back in the read model")
