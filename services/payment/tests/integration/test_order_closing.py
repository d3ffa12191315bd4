"""A dossier that ends unpaid closes its orders, through the worker process on the real
engines: withdrawn or rejected → ``order_cancelled`` by the system; a payment the
provider takes afterwards is kept as owed back; an order unpaid past its deadline
expires (``order_expired``) and refuses checkout."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.payment.tests.integration.support import (
    PaymentSuite,
    browser_pays,
    citizen,
    officer,
    payment_suite,
    publish_to,
    result_params,
    wait_for,
)
from shared.events.envelope import Actor, IntegrationEvent
from shared.vn.time import VN_TZ
from shared.workdays import WorkCalendar
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
AGENCY = "HN.TP"
CANCELLED = "vn.motcua.payment.order_cancelled"


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaymentSuite]:
    with payment_suite(engines, tmp_path_factory.mktemp("payment-closing")) as started:
        yield started


def _status(
    suite: PaymentSuite, api: httpx.Client, payer: str, order_id: str, status: str
) -> dict[str, object]:
    def reached() -> dict[str, object] | None:
        listed = api.get("/api/v1/payments/orders", headers=citizen(payer)).json()["items"]
        return next((o for o in listed if o["id"] == order_id and o["status"] == status), None)

    return wait_for(reached, 60, f"order {order_id} {status} in the read model")


def _checkout(api: httpx.Client, payer: str, order_id: str) -> httpx.Response:
    return api.post(
        f"/api/v1/payments/orders/{order_id}/checkout",
        headers={**citizen(payer), "Idempotency-Key": uuid.uuid4().hex},
        json={"method": "vnpay", "accept_terms": True},
    )


def test_a_withdrawn_dossier_cancels_its_unpaid_order_and_a_late_payment_is_owed_back(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    with suite.client() as api:
        order = suite.order_of(api, payer, dossier_id)
        payment_url = suite.checkout(api, payer, order["id"])["payment_url"]
        withdrawn = {"reason": "Tôi không còn nhu cầu", "at": datetime.now(UTC).isoformat()}
        suite.dossier_event(
            dossier_id, "withdrawn", 9, withdrawn, actor=Actor(id=payer, role="citizen")
        )
        suite.dossier_event(
            dossier_id,
            "withdrawn",
            9,
            withdrawn,  # redelivered
            actor=Actor(id=payer, role="citizen"),
        )
        view = _status(suite, api, payer, order["id"], "cancelled")
        assert view["status_label"] == "Đã hủy"
        wait_for(
            lambda: CANCELLED in [e.type for e in suite.payment_events(order["id"])],
            60,
            "order_cancelled on the payment topic",
        )
        cancelled = [e for e in suite.payment_events(order["id"]) if e.type == CANCELLED]
        assert len({e.id for e in cancelled}) == 1
        assert cancelled[0].actor.role == "system"
        assert cancelled[0].data == {
            "order_id": order["id"],
            "dossier_id": dossier_id,
            "reason": "Hồ sơ đã được công dân rút",
        }

        refused = _checkout(api, payer, order["id"])
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("payment-order-cancelled")
        assert "đã bị hủy" in refused.json()["detail"]

        # The payer still had the provider's page open and paid: the money is not lost.
        redirect = browser_pays(payment_url)
        view = _status(suite, api, payer, order["id"], "refund_due")
        assert view["payment"]["amount"] == 150_000  # type: ignore[index]
        answer = api.get("/api/v1/payments/vnpay/ipn", params=result_params(redirect)).json()
        assert answer["RspCode"] == "00"  # VNPay's "confirmed", also for its redelivery
        txn_ref = result_params(redirect)["vnp_TxnRef"]

        def sandbox_answer() -> str | None:
            with sqlite3.connect(suite.env["MOTCUA_PAYMENT_SANDBOX_DB_PATH"]) as db:
                row = db.execute(
                    "SELECT ipn_answer FROM txns WHERE txn_ref = ?", (txn_ref,)
                ).fetchone()
            return row[0] if row else None

        assert wait_for(sandbox_answer, 30, "the sandbox's IPN answer") == "00"
        wait_for(
            lambda: "order_paid_after_close" in suite.kinds(order["id"]),
            60,
            "order_paid_after_close on the payment topic",
        )
        kinds = suite.kinds(order["id"])
        assert "order_paid" not in kinds  # the dossier must not move on
        assert kinds.count("order_cancelled") == 1

        leader = officer("officer-9", AGENCY, "approver")
        refund = api.post(
            f"/api/v1/payments/orders/{order['id']}/refunds",
            headers={**leader, "Idempotency-Key": uuid.uuid4().hex},
            json={"amount": 150_000, "reason": "Hoàn tiền hồ sơ đã rút"},
        )
        assert refund.status_code == 201, refund.text
        _status(suite, api, payer, order["id"], "refunded")


def test_a_rejected_dossier_cancels_what_is_unpaid_and_leaves_what_is_paid(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer, level=3, amount=50_000, sequence=7)
    suite.request_payment(payer=payer, level=3, amount=70_000, sequence=9, dossier_id=dossier_id)
    with suite.client() as api:

        def both() -> list[dict[str, object]] | None:
            items = api.get(
                "/api/v1/payments/orders", headers=citizen(payer), params={"dossier_id": dossier_id}
            ).json()["items"]
            return items if len(items) == 2 else None

        orders = {o["amount"]: o for o in wait_for(both, 60, "the dossier's two orders")}
        paid, unpaid = orders[50_000], orders[70_000]
        suite.pay_at_office(api, paid["id"], "0000777", 50_000)
        rejected = {"reason": "Thiếu bản vẽ thiết kế", "at": datetime.now(UTC).isoformat()}
        suite.dossier_event(dossier_id, "rejected", 12, rejected)
        _status(suite, api, payer, str(unpaid["id"]), "cancelled")
        wait_for(
            lambda: "order_cancelled" in suite.kinds(str(unpaid["id"])),
            60,
            "order_cancelled on the payment topic",
        )
        events = suite.payment_events(str(unpaid["id"]))
        assert [e.data["reason"] for e in events if e.type == CANCELLED] == [
            "Hồ sơ bị từ chối: Thiếu bản vẽ thiết kế"
        ]
        # The same closing event saw the paid order and left it alone.
        assert suite.kinds(str(paid["id"])) == ["order_created", "order_paid"]
        assert suite.order(api, payer, str(paid["id"]))["status"] == "paid"


def test_an_order_unpaid_past_its_deadline_expires(engines: Engines, tmp_path: Path) -> None:
    with payment_suite(engines, tmp_path) as suite:
        payer = f"citizen-{uuid.uuid4().hex[:8]}"
        late_dossier, _ = suite.request_payment(payer=payer)
        paid_dossier, _ = suite.request_payment(payer=payer, level=3, amount=50_000)
        with suite.client() as api:
            late = suite.order_of(api, payer, late_dossier)
            paid = suite.order_of(api, payer, paid_dossier)
            suite.pay_at_office(api, paid["id"], "0000778", 50_000)
            # The default 15 working days are far off: nothing expires.
            assert suite.order(api, payer, late["id"])["status"] == "pending"
            # The same worker restarted with a zero-day deadline: its sweep finds them.
            suite.worker.stop()
            suite.worker.env.update(
                {
                    "MOTCUA_PAYMENT_ORDER_EXPIRY_DAYS": "0",
                    "MOTCUA_PAYMENT_ORDER_EXPIRY_SWEEP_SECONDS": "0.5",
                }
            )
            suite.worker.start(timeout=90)
            view = _status(suite, api, payer, late["id"], "expired")
            assert view["status_label"] == "Hết hạn thanh toán"
            wait_for(
                lambda: "order_expired" in suite.kinds(late["id"]),
                60,
                "order_expired on the payment topic",
            )
            expired = [
                e
                for e in suite.payment_events(late["id"])
                if e.type == "vn.motcua.payment.order_expired"
            ]
            assert len({e.id for e in expired}) == 1 and expired[0].actor.role == "system"
            assert expired[0].data["reason"].startswith("Quá hạn thanh toán: 0 ngày làm việc")
            refused = _checkout(api, payer, late["id"])
            assert refused.status_code == 409
            assert refused.json()["type"].endswith("payment-order-expired")
            assert "hết hạn thanh toán" in refused.json()["detail"]
            assert suite.order(api, payer, paid["id"])["status"] == "paid"
            assert "order_expired" not in suite.kinds(paid["id"])


def test_the_payment_deadline_follows_the_days_off_the_catalog_announces(
    suite: PaymentSuite,
) -> None:
    payer = f"citizen-{uuid.uuid4().hex[:8]}"
    dossier_id, _ = suite.request_payment(payer=payer)
    with suite.client() as api:
        listed = suite.order_of(api, payer, dossier_id)
        opened = datetime.fromisoformat(listed["created_at"])
        expected = WorkCalendar().add_working_days(opened, 15)  # the default term
        assert datetime.fromisoformat(listed["pay_by"]) == expected
        view = suite.order(api, payer, listed["id"])
        assert datetime.fromisoformat(view["pay_by"]) == expected

        # The government moves a day off onto the deadline's date: one working day later.
        day = expected.astimezone(VN_TZ).date()
        year = day.year
        event = IntegrationEvent(
            id=IntegrationEvent.stable_id(f"calendar-{year}", 1),
            source="/motcua/catalog",
            type="vn.motcua.catalog.calendar_updated",
            subject=f"calendar-{year}",
            time=datetime.now(UTC),
            sequence=1,
            actor=Actor(id="admin-1", role="admin"),
            data={
                "year": year,
                "days_off": [day.isoformat()],
                "working_days": [],
                "reason": "Nghỉ bù theo thông báo của Chính phủ",
            },
        )
        asyncio.run(
            publish_to(
                suite.engines.kafka_bootstrap_servers,
                f"{suite.run_id}.motcua.catalog.events",
                event,
            )
        )
        later = WorkCalendar(days_off=frozenset({day})).add_working_days(opened, 15)
        assert later > expected
        wait_for(
            lambda: (
                datetime.fromisoformat(suite.order(api, payer, listed["id"])["pay_by"]) == later
            ),
            60,
            "the announced day off in the payment deadline",
        )
        suite.pay_at_office(api, listed["id"], "0000779", listed["amount"])
        assert "pay_by" not in suite.order(api, payer, listed["id"])  # nothing left to pay
