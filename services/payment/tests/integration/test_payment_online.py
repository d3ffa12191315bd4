"""A citizen pays a dossier's fee online through the VNPay-protocol sandbox, on the real
engines: the order comes from a dossier event, the payment URL is signed, the sandbox's
page is pressed over HTTP, its signed IPN marks the order paid once, ``order_paid``
reaches Kafka for the dossier, and the receipt is a PDF with the amount in words."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from pypdf import PdfReader

from services.payment.adapters.vnpay import protocol
from services.payment.tests.integration.support import (
    SECRET,
    TMN,
    PaymentSuite,
    browser_pays,
    citizen,
    distinct_ids,
    payment_suite,
    read_topic,
    result_params,
    wait_for,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaymentSuite]:
    with payment_suite(engines, tmp_path_factory.mktemp("payment-online")) as started:
        yield started


def _paid(suite: PaymentSuite, api: httpx.Client, payer: str, order_id: str) -> bool:
    return suite.order(api, payer, order_id)["status"] == "paid"


def test_citizen_pays_through_the_sandbox_and_order_paid_is_published(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, code = suite.request_payment(payer=payer, amount=1_250_000)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        assert (order["amount"], order["status"], order["status_label"]) == (
            1_250_000,
            "pending",
            "Chờ thanh toán",
        )
        assert order["dossier_code"] == code

        started = suite.checkout(api, payer, order["id"], key="checkout-1")
        url = urlsplit(started["payment_url"])
        params = dict(parse_qsl(url.query))
        assert url.path == "/paymentv2/vpcpay.html"
        assert params["vnp_Amount"] == "125000000"  # amount × 100, from the order
        assert params["vnp_TmnCode"] == TMN and params["vnp_TxnRef"] == started["attempt_id"]
        assert protocol.verify(params, SECRET)

        redirect = browser_pays(started["payment_url"], "pay")
        back = result_params(redirect)
        assert back["vnp_ResponseCode"] == "00" and protocol.verify(back, SECRET)
        wait_for(lambda: _paid(suite, api, payer, order["id"]), 30, "the IPN to mark it paid")

        shown = api.get(redirect.headers["location"])
        assert shown.status_code == 200 and "Thanh toán thành công" in shown.text

        paid = suite.order(api, payer, order["id"])
        assert paid["payment"]["method"] == "vnpay_sandbox"
        assert paid["payment"]["provider_txn"] == back["vnp_TransactionNo"]
        assert [a["status"] for a in paid["attempts"]] == ["succeeded"]

        # The dossier moves on from this event (docs/events.md): one, with what it reads.
        events = wait_for(
            lambda: [e for e in suite.payment_events(order["id"]) if e.type.endswith("order_paid")],
            30,
            "order_paid",
        )
        assert len(distinct_ids(suite.payment_events(order["id"]), "order_paid")) == 1
        data = events[0].data
        assert (data["dossier_id"], data["order_id"], data["amount"]) == (
            dossier_id,
            order["id"],
            1_250_000,
        )
        assert data["receipt_no"] == paid["payment"]["receipt_no"]
        assert "payment_url" not in str(suite.payment_events(order["id"]))

        receipt = api.get(f"/api/v1/payments/orders/{order['id']}/receipt", headers=citizen(payer))
        assert receipt.status_code == 200
        assert receipt.headers["content-type"] == "application/pdf"
        text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
        for expected in (
            paid["payment"]["receipt_no"],
            code,
            "Nguyễn Thị Hồng",
            "1.250.000 đồng",
            "Một triệu hai trăm năm mươi nghìn đồng",
            "1.009972 Cấp giấy phép xây dựng",
        ):
            assert expected in text

        # The page cannot be paid twice.
        with httpx.Client(trust_env=False) as browser:
            assert browser.get(started["payment_url"]).status_code == 409


def test_checkout_is_idempotent_and_refuses_a_reused_key(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        first = suite.checkout(api, payer, order["id"], key="same-key")
        again = suite.checkout(api, payer, order["id"], key="same-key")
        assert again == first
        assert len(suite.order(api, payer, order["id"])["attempts"]) == 1

        other_body = api.post(
            f"/api/v1/payments/orders/{order['id']}/checkout",
            headers={**citizen(payer), "Idempotency-Key": "same-key"},
            json={"method": "vnpay", "accept_terms": True, "x": 1},
        )
        assert other_body.status_code == 201  # unknown fields are ignored: same request
        missing = api.post(
            f"/api/v1/payments/orders/{order['id']}/checkout",
            headers=citizen(payer),
            json={"method": "vnpay", "accept_terms": True},
        )
        assert missing.status_code == 400
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["type"].endswith("payment-idempotency-key-missing")


def test_online_payment_is_refused_below_level_4(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, level=3)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        refused = api.post(
            f"/api/v1/payments/orders/{order['id']}/checkout",
            headers={**citizen(payer), "Idempotency-Key": "k-level"},
            json={"method": "vnpay", "accept_terms": True},
        )
        assert refused.status_code == 422
        assert refused.json()["type"].endswith("payment-online-not-allowed")
        assert "mức độ 4" in refused.json()["detail"]


def test_cancelled_and_expired_attempts_then_a_successful_retry(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    short = suite.another_api(MOTCUA_PAYMENT_CHECKOUT_TTL_SECONDS="1").start()
    with (
        suite.client() as api,
        httpx.Client(base_url=short.url, trust_env=False, timeout=30) as short_api,
    ):
        order = suite.order_of(api, payer, dossier_id)

        def attempts() -> list[dict[str, object]]:
            return suite.order(api, payer, order["id"])["attempts"]

        cancelled = suite.checkout(api, payer, order["id"])
        assert (
            result_params(browser_pays(cancelled["payment_url"], "cancel"))["vnp_ResponseCode"]
            == "24"
        )
        wait_for(lambda: attempts()[0]["status"] == "failed", 30, "the cancel IPN")
        assert attempts()[0]["reason"] == "cancelled"
        assert attempts()[0]["status_label"] == "Người nộp đã hủy giao dịch"

        expiring = suite.checkout(short_api, payer, order["id"])
        time.sleep(2.2)  # past vnp_ExpireDate (one second after it was created)
        back = result_params(browser_pays(expiring["payment_url"], "pay"))
        assert back["vnp_ResponseCode"] == "11"
        wait_for(lambda: attempts()[1]["status"] == "failed", 30, "the expiry IPN")
        assert attempts()[1]["reason"] == "expired"
        assert suite.order(api, payer, order["id"])["status"] == "pending"

        retry = suite.checkout(api, payer, order["id"])
        browser_pays(retry["payment_url"], "pay")
        wait_for(lambda: _paid(suite, api, payer, order["id"]), 30, "the retry to be paid")
        assert [a["status"] for a in attempts()] == ["failed", "failed", "succeeded"]

        events = wait_for(
            lambda: (lambda e: e if distinct_ids(e, "order_paid") else None)(
                suite.payment_events(order["id"])
            ),
            30,
            "order_paid",
        )
        assert len(distinct_ids(events, "attempt_failed")) == 2
        assert len(distinct_ids(events, "order_paid")) == 1
        assert {e.data["reason"] for e in events if e.type.endswith("attempt_failed")} == {
            "cancelled",
            "expired",
        }


def test_a_failed_payment_leaves_the_order_payable(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        attempt = suite.checkout(api, payer, order["id"])
        redirect = browser_pays(attempt["payment_url"], "fail")
        shown = api.get(redirect.headers["location"])
        assert "Thanh toán không thành công" in shown.text
        wait_for(
            lambda: suite.order(api, payer, order["id"])["attempts"][0]["status"] == "failed",
            30,
            "the failure IPN",
        )
        view = suite.order(api, payer, order["id"])
        assert view["status"] == "pending" and view["attempts"][0]["reason"] == "failed"


def test_a_payment_request_whose_fees_do_not_add_up_opens_no_order(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    bad = [
        {"code": "LP", "name": "Lệ phí", "amount": 10_000},
        {"code": "PHI", "name": "Phí", "amount": -1},
    ]
    dossier_id, _ = suite.request_payment(payer=payer, fees=bad)
    good_id, _ = suite.request_payment(payer=payer, amount=5_000)
    with suite.client() as api:
        suite.order_of(api, payer, good_id)  # the worker went on past the bad one
        parked = wait_for(
            lambda: [
                e
                for e in asyncio.run(
                    read_topic(suite.engines.kafka_bootstrap_servers, f"{suite.dossier_topic}.dlq")
                )
                if e.subject == dossier_id
            ],
            60,
            "the bad request in the DLQ",
        )
        assert len(parked) == 1
        listed = api.get("/api/v1/payments/orders", headers=citizen(payer)).json()["items"]
        assert [o["dossier_id"] for o in listed] == [good_id]
