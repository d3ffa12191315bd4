"""Nobody can fake a payment: forged or altered notifications are refused and change
nothing; a return-URL visit never marks an order paid; the same notification delivered
five times, concurrently, produces one payment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from services.payment.adapters.vnpay import protocol
from services.payment.tests.integration.support import (
    TMN,
    PaymentSuite,
    browser_pays,
    citizen,
    distinct_ids,
    payment_suite,
    result_params,
    signed,
    wait_for,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
IPN = "/api/v1/payments/vnpay/ipn"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaymentSuite]:
    with payment_suite(engines, tmp_path_factory.mktemp("payment-ipn")) as started:
        yield started


def _success_for(
    attempt: dict[str, object], amount: int, txn_no: str = "99000001", **changes: str
) -> dict[str, str]:
    params = {
        "vnp_TmnCode": TMN,
        "vnp_Amount": str(amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan le phi",
        "vnp_PayDate": protocol.format_date(datetime.now(UTC)),
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": txn_no,
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": str(attempt["attempt_id"]),
    }
    return {**params, **changes}


def test_forged_and_altered_notifications_are_refused_and_change_nothing(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, amount=200_000)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        attempt = suite.checkout(api, payer, order["id"])
        before = suite.order(api, payer, order["id"])

        genuine = signed(_success_for(attempt, 200_000))
        forged_signature = {**genuine, "vnp_SecureHash": "ab" * 64}
        altered_amount = {**genuine, "vnp_Amount": "100"}  # signature no longer matches
        resigned_amount = signed(_success_for(attempt, 2_000))  # signed, wrong amount
        unknown_order = signed(_success_for({"attempt_id": uuid.uuid4().hex + "001"}, 200_000))
        another_terminal = signed(_success_for(attempt, 200_000, vnp_TmnCode="OTHER"))
        wrong_secret = signed(_success_for(attempt, 200_000), secret="not-the-secret")
        unsigned = {k: v for k, v in genuine.items() if k != "vnp_SecureHash"}
        cases = [
            (forged_signature, "97"),
            (altered_amount, "97"),
            (resigned_amount, "04"),
            (unknown_order, "01"),
            (another_terminal, "97"),
            (wrong_secret, "97"),
            (unsigned, "97"),
            ({"vnp_TxnRef": "x"}, "97"),
        ]
        for params, code in cases:
            answer = api.get(IPN, params=params)
            assert answer.status_code == 200
            assert answer.json()["RspCode"] == code, (params, answer.json())

        # The browser's return URL, even with a genuine signature, only shows status.
        shown = api.get("/api/v1/payments/vnpay/return", params=genuine)
        assert shown.status_code == 200 and "Đang chờ xác nhận" in shown.text
        forged_return = api.get("/api/v1/payments/vnpay/return", params=forged_signature)
        assert forged_return.status_code == 400

        after = suite.order(api, payer, order["id"])
        assert after == before and after["status"] == "pending"
        events = suite.payment_events(order["id"])
        assert {e.type.rsplit(".", 1)[-1] for e in events} <= {"order_created", "attempt_started"}
        assert not distinct_ids(events, "order_paid")


def test_the_same_notification_five_times_concurrently_pays_once(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, amount=300_000)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        attempt = suite.checkout(api, payer, order["id"])
        # The sandbox's own IPN races with five copies of the same signed result.
        notification = result_params(browser_pays(attempt["payment_url"], "pay"))

        def deliver(_: int) -> dict[str, str]:
            with httpx.Client(base_url=suite.api.url, trust_env=False, timeout=30) as client:
                return client.get(IPN, params=notification).json()

        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(deliver, range(5)))
        assert answers == [protocol.IPN_CONFIRMED] * 5
        assert [deliver(i) for i in range(5)] == [protocol.IPN_CONFIRMED] * 5

        view = suite.order(api, payer, order["id"])
        assert view["status"] == "paid"
        assert view["payment"]["provider_txn"] == notification["vnp_TransactionNo"]

        # A different notification for the paid order (another transaction) is "already
        # confirmed" and changes nothing.
        other = signed(_success_for(attempt, 300_000, txn_no="77000001"))
        assert api.get(IPN, params=other).json() == protocol.IPN_ALREADY
        assert suite.order(api, payer, order["id"])["version"] == view["version"]

        events = wait_for(
            lambda: (lambda e: e if distinct_ids(e, "order_paid") else None)(
                suite.payment_events(order["id"])
            ),
            30,
            "order_paid",
        )
        assert len([e for e in events if e.type.endswith("order_paid")]) == 1
        store = suite.store()
        try:
            stored = [
                type(e).__name__ for e in store.repository.event_store.get(uuid.UUID(order["id"]))
            ]
        finally:
            store.close()
        assert stored.count("Paid") == 1


def test_a_citizen_cannot_see_or_use_another_citizens_order(suite: PaymentSuite) -> None:
    owner, other = (f"citizen-{uuid.uuid4().hex[:8]}" for _ in range(2))
    dossier_id, _ = suite.request_payment(payer=owner)
    with suite.client() as api:
        order = suite.order_of(api, owner, dossier_id)
        base = f"/api/v1/payments/orders/{order['id']}"
        for response in (
            api.get(base, headers=citizen(other)),
            api.get(f"{base}/receipt", headers=citizen(other)),
            api.post(
                f"{base}/checkout",
                headers={**citizen(other), "Idempotency-Key": "k1"},
                json={"method": "vnpay", "accept_terms": True},
            ),
        ):
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == "Không tìm thấy giao dịch."
        listed = api.get("/api/v1/payments/orders", headers=citizen(other)).json()["items"]
        assert all(item["id"] != order["id"] for item in listed)
        assert api.get(base).status_code == 401  # nobody at all
        assert suite.order(api, owner, order["id"])["attempts"] == []
