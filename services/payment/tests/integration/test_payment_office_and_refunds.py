"""The officer's side: a cash payment at the office with a receipt number, partial and
full refunds (online ones refunded at the provider first), and reconciliation of the
provider's report against our orders."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from services.payment.tests.integration.support import (
    PaymentSuite,
    browser_pays,
    citizen,
    distinct_ids,
    officer,
    payment_suite,
    wait_for,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
AGENCY = "HN.TP"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaymentSuite]:
    with payment_suite(engines, tmp_path_factory.mktemp("payment-office")) as started:
        yield started


def _post(
    api: httpx.Client,
    path: str,
    headers: dict[str, str],
    body: dict[str, object],
    key: str | None = None,
) -> httpx.Response:
    return api.post(
        path, headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex}, json=body
    )


def test_officer_records_an_office_payment_with_a_receipt_number(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, code = suite.request_payment(payer=payer, amount=50_000, level=3)
    clerk = officer("officer-7", AGENCY, "receiver")
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        path = f"/api/v1/payments/orders/{order['id']}/office-payment"
        elsewhere = _post(
            api,
            path,
            officer("officer-8", "DN.TP", "receiver"),
            {"receipt_no": "0000123", "amount": 50_000},
        )
        assert elsewhere.status_code == 404  # another agency's order is invisible
        wrong = _post(api, path, clerk, {"receipt_no": "0000123", "amount": 40_000})
        assert wrong.status_code == 422 and "50.000 đồng" in wrong.json()["detail"]
        assert (
            _post(api, path, citizen(payer), {"receipt_no": "1", "amount": 50_000}).status_code
            == 403
        )

        first = _post(api, path, clerk, {"receipt_no": "0000123", "amount": 50_000}, "cash-1")
        assert first.status_code == 200, first.text
        again = _post(api, path, clerk, {"receipt_no": "0000123", "amount": 50_000}, "cash-1")
        assert again.json() == first.json()
        reused = _post(api, path, clerk, {"receipt_no": "0000999", "amount": 50_000}, "cash-1")
        assert reused.status_code == 422
        assert reused.json()["type"].endswith("payment-idempotency-key-reused")
        twice = _post(api, path, clerk, {"receipt_no": "0000124", "amount": 50_000})
        assert twice.status_code == 409 and twice.json()["type"].endswith("already-paid")

        view = suite.order(api, payer, order["id"])
        assert view["payment"]["method"] == "office"
        assert view["payment"]["receipt_no"] == "0000123"
        assert view["payment"]["recorded_by"] == "officer-7"
        officer_view = api.get(f"/api/v1/payments/orders/{order['id']}", headers=clerk)
        assert officer_view.status_code == 200
        listed = api.get(
            "/api/v1/payments/orders", headers=clerk, params={"dossier_id": dossier_id}
        ).json()["items"]
        assert [o["id"] for o in listed] == [order["id"]]

        pdf = api.get(f"/api/v1/payments/orders/{order['id']}/receipt", headers=citizen(payer))
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "0000123" in text and code in text and "Năm mươi nghìn đồng" in text
        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
        assert today in text

        paid = wait_for(
            lambda: [e for e in suite.payment_events(order["id"]) if e.type.endswith("order_paid")],
            30,
            "order_paid",
        )
        assert len(paid) == 1 and paid[0].data["method"] == "office"
        assert paid[0].actor.id == "officer-7" and paid[0].actor.agency == AGENCY


def test_partial_then_full_refund_of_an_online_payment_at_the_provider(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, amount=120_000)
    approver = officer("leader-1", AGENCY, "approver")
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        refunds = f"/api/v1/payments/orders/{order['id']}/refunds"
        not_paid = _post(api, refunds, approver, {"amount": 1_000, "reason": "Thử"})
        assert not_paid.status_code == 409

        attempt = suite.checkout(api, payer, order["id"])
        browser_pays(attempt["payment_url"], "pay")
        wait_for(lambda: suite.order(api, payer, order["id"])["status"] == "paid", 30, "paid")

        receiver = officer("officer-2", AGENCY, "receiver")
        assert (
            _post(api, refunds, receiver, {"amount": 20_000, "reason": "Thu thừa"}).status_code
            == 403
        )
        too_much = _post(api, refunds, approver, {"amount": 120_001, "reason": "Thu thừa"})
        assert too_much.status_code == 422

        part = _post(
            api, refunds, approver, {"amount": 20_000, "reason": "Thu thừa phí"}, "refund-1"
        )
        assert part.status_code == 201, part.text
        assert (
            _post(
                api, refunds, approver, {"amount": 20_000, "reason": "Thu thừa phí"}, "refund-1"
            ).json()
            == part.json()
        )
        view = suite.order(api, payer, order["id"])
        assert (view["status"], view["refunded_amount"]) == ("paid", 20_000)
        assert view["status_label"] == "Đã thanh toán, đã hoàn tiền một phần"

        rest = _post(api, refunds, approver, {"amount": 100_000, "reason": "Hồ sơ bị hủy"})
        assert rest.status_code == 201, rest.text
        view = suite.order(api, payer, order["id"])
        assert (view["status"], view["refunded_amount"]) == ("refunded", 120_000)
        assert all(r["provider_ref"] for r in view["refunds"])
        assert _post(api, refunds, approver, {"amount": 1, "reason": "Thêm"}).status_code == 409

        events = wait_for(
            lambda: (lambda e: e if len(distinct_ids(e, "order_refunded")) == 2 else None)(
                suite.payment_events(order["id"])
            ),
            30,
            "two order_refunded",
        )
        amounts = sorted(e.data["amount"] for e in events if e.type.endswith("order_refunded"))
        assert amounts == [20_000, 100_000]

        # The provider's report agrees with us: its refunds are ours.
        admin = officer("admin-1", AGENCY, "agency_admin")
        day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d")
        report = api.get(
            "/api/v1/payments/reconciliation", headers=admin, params={"date": day}
        ).json()
        ours = [m for m in report["mismatches"] if m["txn_ref"] == attempt["attempt_id"]]
        assert ours == [] and report["checked"] >= 1


def test_reconciliation_flags_a_payment_the_provider_took_but_we_never_recorded(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, amount=75_000)
    admin = officer("admin-1", AGENCY, "agency_admin")
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d")
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        attempt = suite.checkout(api, payer, order["id"])
        second = suite.another_api().start()  # another instance, not the IPN's address
        suite.api.stop()  # the IPN address is down: the sandbox's deliveries fail
        try:
            browser_pays(attempt["payment_url"], "pay")
            with httpx.Client(base_url=second.url, trust_env=False, timeout=30) as other:
                report = other.get(
                    "/api/v1/payments/reconciliation", headers=admin, params={"date": day}
                ).json()
                assert (
                    other.get(
                        f"/api/v1/payments/orders/{order['id']}", headers=citizen(payer)
                    ).json()["status"]
                    == "pending"
                )
        finally:
            suite.api.start()
        flagged = [m for m in report["mismatches"] if m["txn_ref"] == attempt["attempt_id"]]
        assert [m["kind"] for m in flagged] == ["paid_not_recorded"]
        assert "chưa ghi nhận" in flagged[0]["detail"]
        wait_for(
            lambda: suite.order(api, payer, order["id"])["status"] == "paid",
            90,
            "the sandbox's retried IPN",
        )
        report = api.get(
            "/api/v1/payments/reconciliation", headers=admin, params={"date": day}
        ).json()
        assert not [m for m in report["mismatches"] if m["txn_ref"] == attempt["attempt_id"]]
        assert (
            api.get(
                "/api/v1/payments/reconciliation", headers=citizen(payer), params={"date": day}
            ).status_code
            == 403
        )


def test_an_officer_cancels_a_pending_order(suite: PaymentSuite) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, amount=30_000)
    clerk = officer("officer-9", AGENCY, "receiver")
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        path = f"/api/v1/payments/orders/{order['id']}/cancel"
        assert _post(api, path, citizen(payer), {"reason": "Không muốn nộp"}).status_code == 403
        blank = _post(api, path, clerk, {"reason": " "})
        assert blank.status_code == 422
        assert blank.headers["content-type"] == "application/problem+json"
        done = _post(api, path, clerk, {"reason": "Miễn lệ phí theo quy định"})
        assert done.status_code == 200, done.text
        view = suite.order(api, payer, order["id"])
        assert (view["status"], view["status_label"]) == ("cancelled", "Đã hủy")
        late = _post(
            api,
            f"/api/v1/payments/orders/{order['id']}/checkout",
            citizen(payer),
            {"method": "vnpay", "accept_terms": True},
        )
        assert late.status_code == 409
        cancelled = wait_for(
            lambda: [
                e for e in suite.payment_events(order["id"]) if e.type.endswith("order_cancelled")
            ],
            30,
            "order_cancelled",
        )
        assert cancelled[0].data == {
            "order_id": order["id"],
            "dossier_id": dossier_id,
            "reason": "Miễn lệ phí theo quy định",
        }
        assert cancelled[0].actor.id == "officer-9"
