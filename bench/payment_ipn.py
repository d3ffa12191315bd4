"""IPN handling cost next to a bare event-store write baseline, measured in one run.

For N orders with an open attempt: read and verify the signed notification (HMAC-SHA512),
load the order, apply it, save (the outbox write), then deliver the same notification
again (the duplicate path). Baseline: saving one small event per order on the same store.

    .venv/bin/python -m bench.payment_ipn [--orders 300]

On the local engines' PostgreSQL (payment's only event store), in a schema of its own
dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

import psycopg

from services.payment.adapters.vnpay import protocol
from services.payment.adapters.vnpay.merchant import VnpayMerchant
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import Notification
from services.payment.domain.order import Command
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings

SECRET = "bench-secret"
MERCHANT = VnpayMerchant(
    tmn_code="BENCH", secret=SECRET, payment_url="http://p", return_url="http://r"
)
CITIZEN = Actor(id="bench-citizen", role="citizen")


def _open(app: PaymentApplication, n: int) -> tuple[uuid.UUID, str]:
    order_id = app.open_order(
        dossier_id=f"bench-{uuid.uuid4()}",
        request_sequence=1,
        actor=Actor(id="d", role="system"),
        data={
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": 150_000}],
            "total": 150_000,
            "payer_id": CITIZEN.id,
            "agency_code": "NB.HOALU",
            "service_level": 4,
        },
    )
    started = app.start_checkout(
        order_id,
        CITIZEN,
        Command(f"k{n}", "f"),
        method="vnpay_sandbox",
        merchant=MERCHANT,
        ttl_seconds=900,
        client_ip="127.0.0.1",
    )
    return order_id, started["attempt_id"]


def _ipn(ref: str, n: int) -> dict[str, str]:
    params = {
        "vnp_TmnCode": "BENCH",
        "vnp_Amount": "15000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": ref,
        "vnp_TransactionNo": str(14_000_000 + n),
        "vnp_BankCode": "NCB",
        "vnp_PayDate": protocol.format_date(datetime.now(UTC)),
    }
    return {**params, "vnp_SecureHash": protocol.sign(params, SECRET)}


def _timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _handle(app: PaymentApplication, params: dict[str, str]) -> str:
    note = MERCHANT.read(params)
    assert isinstance(note, Notification)
    return app.confirm(note)


def _report(name: str, samples: list[float]) -> None:
    cuts = statistics.quantiles(samples, n=100)
    print(
        f"{name:<28} p50 {cuts[49]:7.2f} ms   p95 {cuts[94]:7.2f} ms   "
        f"p99 {cuts[98]:7.2f} ms   {len(samples) / (sum(samples) / 1000):8.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args()
    schema = "bench" + uuid.uuid4().hex[:8]
    dsn = ServiceSettings().require("postgres_dsn")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        env = eventstore_env("postgres", postgres_dsn=dsn, postgres_schema=schema)
        app = PaymentApplication(env=env)
        opened = [_open(app, n) for n in range(args.orders)]
        baseline_opened = [_open(app, n + args.orders) for n in range(args.orders)]
        notes = [_ipn(ref, n) for n, (_, ref) in enumerate(opened)]
        officer = Actor(id="o", role="officer", agency="NB.HOALU")
        baseline = _timed(
            [
                partial(app.cancel, o, officer, Command("c", "f"), reason="bench")
                for o, _ in baseline_opened
            ]
        )
        first = _timed([partial(_handle, app, p) for p in notes])
        again = _timed([partial(_handle, app, p) for p in notes])
        app.close()
        print(f"{args.orders} orders, PostgreSQL event store")
        _report("baseline: load + 1 event", baseline)
        _report("IPN, first delivery", first)
        _report("IPN, duplicate delivery", again)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
