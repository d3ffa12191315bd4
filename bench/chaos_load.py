"""The chaos benchmark's load: citizens filing through the gateway, officers moving some
dossiers on to payment, and the citizens paying those at the sandbox.

Every dossier is a «Cấp bản sao trích lục hộ tịch» (8.000 đồng): draft, tờ khai and
identity paper uploaded, submitted (four events). Every ``APPROVE_EVERY``-th one is
accepted, processed, proposed and approved by the ward's demo officers (five more:
``PaymentRequested`` gives the payment worker an order to open), and its citizen pays
it at the sandbox once the order is listed (``PaymentReceived``, from the dossier
worker's consumer of ``order_paid``). A refused or timed-out call ends that dossier's
story (counted in ``failed``); the effects are counted from the event store anyway.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.journey import (
    EXTRACT,
    WARD,
    Person,
    Session,
    applicant,
    log_in,
    new_citizen,
    pay_at_the_sandbox,
    pdf,
    register_and_activate,
)
from tests.e2e.suite import Suite

APPROVE_EVERY = 4
ORDER_WAIT_SECONDS = 180.0
STEPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("receiver", "accept", {}),
    ("processor", "start-processing", {}),
    ("processor", "propose", {"decision": "approve", "note": "Đủ điều kiện"}),
    ("approver", "approve", {"result": {"number": "TL-CHAOS"}}),
)


class Refused(RuntimeError):
    pass


def expect(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise Refused(f"{response.request.url.path}: {response.status_code} {response.text[:200]}")
    return response.json()


@dataclass
class Ledger:
    """What the load did: each dossier's owner (for reading it back), the calls refused."""

    owners: dict[str, Session] = field(default_factory=dict)
    approved: int = 0
    paid: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self) -> None:
        with self.lock:
            self.failed += 1


class Load:
    """The citizens and officers of one run, and the threads that file and pay."""

    def __init__(self, suite: Suite, citizens: int) -> None:
        self.suite = suite
        self.people: list[tuple[Session, Person]] = []
        for n in range(citizens):
            person = new_citizen(f"chaos{n}")
            self.people.append((register_and_activate(suite, person), person))
        self.officers = {
            duty: log_in(suite, f"{duty}.hoalu@motcua.local")
            for duty in ("receiver", "processor", "approver")
        }
        self.ledger = Ledger()
        self.to_pay: queue.Queue[tuple[Session, str] | None] = queue.Queue()
        self.filed = 0
        self.lock = threading.Lock()

    def run(self, enough: Callable[[], bool], filers: int = 4, payers: int = 2) -> None:
        """File until ``enough()``, then let the payers finish what was approved."""
        paying = [
            threading.Thread(target=self._pay_all, name=f"chaos-payer-{n}") for n in range(payers)
        ]
        for thread in paying:
            thread.start()
        threads = [
            threading.Thread(target=self._file_until, args=(enough, n), name=f"chaos-filer-{n}")
            for n in range(filers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for _ in paying:
            self.to_pay.put(None)
        for thread in paying:
            thread.join()

    def close(self) -> None:
        for session in [*self.officers.values(), *(s for s, _ in self.people)]:
            session.close()

    def _file_until(self, enough: Callable[[], bool], filer: int) -> None:
        while not enough():
            with self.lock:
                n = self.filed
                self.filed += 1
            citizen, person = self.people[n % len(self.people)]
            try:
                dossier_id = self._file(citizen, person, n)
                if n % APPROVE_EVERY == 0:
                    self._approve(dossier_id)
                    self.to_pay.put((citizen, dossier_id))
            except (Refused, httpx.HTTPError):
                self.ledger.fail()

    def _file(self, citizen: Session, person: Person, n: int) -> str:
        form = {
            **applicant(person.full_name, person.national_id, person.email),
            "loai_trich_luc": "Khai sinh",
            "ho_ten_nguoi_duoc_cap": f"Trần Minh {n}",
            "so_ban": 1,
        }
        dossier_id = str(
            expect(
                citizen.post(
                    "/api/v1/dossiers",
                    json={"procedure_code": EXTRACT, "agency_code": WARD, "form": form},
                ),
                201,
            )["id"]
        )
        with self.ledger.lock:
            self.ledger.owners[dossier_id] = citizen
        for document in ("TK", "GTTT"):
            expect(
                citizen.post(
                    f"/api/v1/dossiers/{dossier_id}/attachments",
                    data={"document_code": document},
                    files={"file": (f"{document}.pdf", pdf(f"{document}-{n}"), "application/pdf")},
                ),
                201,
            )
        expect(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))
        return dossier_id

    def _approve(self, dossier_id: str) -> None:
        for duty, action, body in STEPS:
            officer = self.officers[duty]
            expect(officer.post(f"/api/v1/officer/dossiers/{dossier_id}/{action}", json=body))
        with self.ledger.lock:
            self.ledger.approved += 1

    def _pay_all(self) -> None:
        while (item := self.to_pay.get()) is not None:
            citizen, dossier_id = item
            try:
                self._pay(citizen, dossier_id)
            except (Refused, httpx.HTTPError, AssertionError):
                self.ledger.fail()

    def _pay(self, citizen: Session, dossier_id: str) -> None:
        """Wait for the order (the payment worker may be down), check out, pay."""
        deadline = time.monotonic() + ORDER_WAIT_SECONDS
        while True:
            listed = expect(
                citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id})
            )
            if listed["items"]:
                break
            if time.monotonic() > deadline:
                raise Refused(f"no order for {dossier_id} after {ORDER_WAIT_SECONDS:.0f}s")
            time.sleep(0.5)
        order_id = listed["items"][0]["id"]
        attempt = expect(
            citizen.post(
                f"/api/v1/payments/orders/{order_id}/checkout",
                headers={"Idempotency-Key": f"chaos-{dossier_id}"},
                json={"method": "vnpay", "accept_terms": True},
            ),
            201,
        )
        pay_at_the_sandbox(attempt["payment_url"])
        with self.ledger.lock:
            self.ledger.paid += 1
