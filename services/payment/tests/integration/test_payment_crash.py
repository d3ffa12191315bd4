"""The payment service dies between storing a verified notification and publishing it:
after restart there is still exactly one ``order_paid``, counted on the Kafka topic by
distinct event id and in the event store (PostgreSQL)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

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


def _stored_kinds(suite: PaymentSuite, order_id: str) -> list[str]:
    store = suite.store()
    try:
        return [type(e).__name__ for e in store.repository.event_store.get(uuid.UUID(order_id))]
    finally:
        store.close()


def _sandbox_answer(suite: PaymentSuite, txn_ref: str) -> str | None:
    with sqlite3.connect(suite.env["MOTCUA_PAYMENT_SANDBOX_DB_PATH"]) as db:
        row = db.execute("SELECT ipn_answer FROM txns WHERE txn_ref = ?", (txn_ref,)).fetchone()
    return row[0] if row else None


def test_killed_after_a_verified_notification_still_publishes_exactly_one_paid(
    engines: Engines, tmp_path: Path
) -> None:
    with payment_suite(engines, tmp_path, MOTCUA_PAYMENT_FAILPOINT="after_ipn_saved") as suite:
        payer = f"citizen-{uuid.uuid4().hex[:8]}"
        dossier_id, _ = suite.request_payment(payer=payer, amount=99_000)
        with suite.client() as api:
            order = suite.order_of(api, payer, dossier_id)
            attempt = suite.checkout(api, payer, order["id"])
        suite.worker.kill()  # nothing gets published while the API dies

        browser_pays(attempt["payment_url"], "pay")
        assert suite.api.process is not None
        assert suite.api.process.wait(30) == 137  # died right after storing, before answering
        assert _stored_kinds(suite, order["id"]).count("Paid") == 1
        assert _sandbox_answer(suite, attempt["attempt_id"]) is None  # never acknowledged

        restarted = suite.another_api()  # same address, no failpoint
        restarted.port = suite.api.port
        restarted.env["MOTCUA_PAYMENT_PORT"] = str(suite.api.port)
        restarted.start()
        suite.worker.start(timeout=90)

        # The sandbox's retry reaches the restarted service: the same notification gets
        # the same answer and records nothing new.
        wait_for(
            lambda: _sandbox_answer(suite, attempt["attempt_id"]) == "00",
            90,
            "the sandbox's retried IPN to be confirmed",
        )
        events = wait_for(
            lambda: (lambda e: e if distinct_ids(e, "order_paid") else None)(
                suite.payment_events(order["id"])
            ),
            60,
            "order_paid on Kafka",
        )

        # Kill the relay once more and restart it: it may republish, never a new id.
        suite.worker.kill()
        suite.worker.start(timeout=90)
        with suite.client() as api:
            assert suite.order(api, payer, order["id"])["status"] == "paid"
        events = suite.payment_events(order["id"])
        assert len(distinct_ids(events, "order_paid")) == 1
        assert _stored_kinds(suite, order["id"]).count("Paid") == 1


def test_worker_killed_before_publishing_an_office_payment_publishes_it_once(
    engines: Engines, tmp_path: Path
) -> None:
    with payment_suite(engines, tmp_path) as suite:
        payer = f"citizen-{uuid.uuid4().hex[:8]}"
        dossier_id, _ = suite.request_payment(payer=payer, amount=10_000, level=3)
        with suite.client() as api:
            order = suite.order_of(api, payer, dossier_id)
            suite.worker.kill()
            paid = api.post(
                f"/api/v1/payments/orders/{order['id']}/office-payment",
                headers={**officer("o-1", "HN.TP"), "Idempotency-Key": "cash"},
                json={"receipt_no": "BL-77", "amount": 10_000},
            )
            assert paid.status_code == 200, paid.text
            assert not distinct_ids(suite.payment_events(order["id"]), "order_paid")
            suite.worker.start(timeout=90)
            wait_for(
                lambda: distinct_ids(suite.payment_events(order["id"]), "order_paid"),
                60,
                "order_paid after the restart",
            )
            listed = wait_for(
                lambda: [
                    o
                    for o in api.get("/api/v1/payments/orders", headers=citizen(payer)).json()[
                        "items"
                    ]
                    if o["status"] == "paid"
                ],
                30,
                "the read model to show it paid",
            )
            assert listed[0]["payment"]["receipt_no"] == "BL-77"
        assert len(distinct_ids(suite.payment_events(order["id"]), "order_paid")) == 1
        assert _stored_kinds(suite, order["id"]).count("Paid") == 1
