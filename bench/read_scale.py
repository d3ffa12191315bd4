"""The read side at a province's scale, through the gateway, beside the bare queries.

    .venv/bin/python -m bench.read_scale [--dossiers 100000] [--clients 8] [--requests 400]

Starts the whole suite (as the end-to-end tests do), registers one citizen and loads
``--dossiers`` dossiers into the dossier event store (a year of filings: 30 % still
submitted, 50 % accepted — most of those now overdue —, 20 % refused at reception; 70 %
at Phường Hoa Lư, the rest at Sở Tư pháp; 1,200 of them the citizen's). The suite's own
dossier worker projects them (the real projector path) while the relay, payment worker and
notify are stopped, so the bulk is not mailed to anybody. Then ``--clients`` concurrent
clients send ``--requests`` requests per endpoint through the gateway, and the same number
of bare read-model queries (``ReadModels``, the SQL the service runs, on its own pool)
give the same-run baseline. Figures: p50 / p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.dossier_common import PROCEDURE
from bench.suite_load import expect, hammer, memory, p, running_suite
from services.dossier.adapters.queries import ReadModels
from services.dossier.application.dossiers import DossierApplication, DossierCode
from services.dossier.bootstrap import open_store_pool
from services.dossier.domain.dossier import Dossier
from services.dossier.settings import DossierSettings
from shared.events.envelope import Actor
from shared.workdays import WorkCalendar
from tests.e2e.journey import log_in, new_citizen, register_and_activate
from tests.e2e.suite import Suite

AGENCIES = ("NB.HOALU", "NB.STP")
BULK_PROCESSES = ("dossier-relay", "payment-worker", "notify")
PROCEDURE_BOTH = replace(PROCEDURE, agency_codes=AGENCIES)


def _officer(agency: str) -> Actor:
    return Actor(
        id=f"bench-officer-{agency}",
        role="officer",
        agency=agency,
        officer_roles=("receiver", "processor"),
    )


def _dossier(n: int, owner: str, now: datetime, calendar: WorkCalendar) -> Dossier:
    agency = AGENCIES[0] if n % 10 < 7 else AGENCIES[1]
    citizen = Actor(id=owner, role="citizen")
    national_id = f"0371900{n:05d}"[-12:]
    dossier = Dossier.start_draft(
        citizen,
        procedure=PROCEDURE_BOTH,
        agency_code=agency,
        form={"ho_ten": f"Nguyễn Văn {n}", "so_cccd": national_id},
    )
    filed = now - timedelta(days=365 * (n % 1000) / 1000)
    dossier.submit(citizen, filed)
    if n % 10 < 5:
        dossier.accept(_officer(agency), filed, calendar)
    elif n % 10 >= 8:
        dossier.reject_at_reception(_officer(agency), "Hồ sơ không thuộc thẩm quyền.", filed)
    return dossier


def load(
    settings: DossierSettings, count: int, citizen_id: str, batch: int = 200
) -> tuple[float, list[tuple[str, str]]]:
    """Seconds taken, and (code, last 4 digits of the CCCD) of a sample for lookups."""
    app = DossierApplication(env=settings.eventstore_env())
    calendar, now, started = WorkCalendar(), datetime.now(UTC), time.perf_counter()
    sample: list[tuple[str, str]] = []
    try:
        pending: list[Any] = []
        for n in range(count):
            owner = citizen_id if n % max(count // 1200, 1) == 0 else f"bench-owner-{n % 20000}"
            dossier = _dossier(n, owner, now, calendar)
            assert dossier.code is not None
            if n % max(count // 500, 1) == 0:
                sample.append((dossier.code, dossier.form["so_cccd"][-4:]))
            pending += [dossier, DossierCode(dossier.code, dossier.id)]
            if len(pending) >= 2 * batch:
                app.save(*pending)
                pending = []
        if pending:
            app.save(*pending)
        return time.perf_counter() - started, sample
    finally:
        app.close()


def wait_projected(settings: DossierSettings, pool: Any, timeout: float = 1800) -> float:
    app = DossierApplication(env=settings.eventstore_env())
    last, started = app.recorder.max_notification_id() or 0, time.perf_counter()
    app.close()
    while time.perf_counter() - started < timeout:
        with pool.connection() as conn:
            row = conn.execute("SELECT max(position) AS at FROM projection_tracking").fetchone()
        if row and row["at"] and row["at"] >= last:
            return time.perf_counter() - started
        time.sleep(1.0)
    raise TimeoutError("the projector did not catch up")


def cursor_of_page(api: Any, path: str, page: int) -> str:
    """The ``next`` cursor after ``page - 1`` pages, walked once."""
    after = ""
    for _ in range(page - 1):
        found = expect(api.get(path, params={"size": 20, **({"after": after} if after else {})}))
        after = found["next"]
    return after


def row(name: str, gateway: list[float], bare: list[float] | None) -> str:
    base = f"{p(bare, 50):8.1f} {p(bare, 99):8.1f}" if bare else f"{'-':>8} {'-':>8}"
    return f"| {name:<38} | {p(gateway, 50):8.1f} {p(gateway, 99):8.1f} | {base} |"


def measure(
    suite: Suite, settings: DossierSettings, citizen: Any, args: Any, sample: list[tuple[str, str]]
) -> list[str]:
    officer = log_in(suite, "receiver.hoalu@motcua.local")
    pool = open_store_pool(settings, max_size=args.clients + 2, name="bench-read")
    models, calendar, now = ReadModels(pool), WorkCalendar(), datetime.now(UTC)
    owner = expect(citizen.get("/api/v1/me"))["id"]
    deep = cursor_of_page(citizen.http, "/api/v1/dossiers", 50)
    deep_bare = models.my_dossiers(owner, 1, 20 * 49)["next"]
    n, c = args.requests, args.clients
    lines = []

    def both(name: str, call: Any, bare: Any) -> None:
        lines.append(row(name, hammer(call, n, c), hammer(bare, n, c) if bare else None))

    both(
        "citizen list, page 1",
        lambda i: expect(citizen.get("/api/v1/dossiers", params={"size": 20})),
        lambda i: models.my_dossiers(owner, 1, 20),
    )
    both(
        "citizen list, page 50 (cursor)",
        lambda i: expect(citizen.get("/api/v1/dossiers", params={"size": 20, "after": deep})),
        lambda i: models.my_dossiers(owner, 1, 20, after=deep_bare),
    )
    both(
        "citizen list, page 50 (?page=50)",
        lambda i: expect(citizen.get("/api/v1/dossiers", params={"size": 20, "page": 50})),
        lambda i: models.my_dossiers(owner, 50, 20),
    )
    for queue in ("to_receive", "in_processing", "overdue"):
        both(
            f"officer queue {queue}, page 1",
            lambda i, q=queue: expect(
                officer.get(f"/api/v1/officer/queues/{q}", params={"size": 20})
            ),
            lambda i, q=queue: models.queue("NB.HOALU", q, now, calendar, 1, 20),
        )
    both(
        "officer queue counts (5)",
        lambda i: expect(officer.get("/api/v1/officer/queues")),
        lambda i: models.counts("NB.HOALU", now, calendar),
    )
    with suite.client() as public:
        both(
            "public lookup by code",
            lambda i: expect(
                public.get(
                    f"/api/v1/lookup/{sample[i % len(sample)][0]}",
                    params={"id_last4": sample[i % len(sample)][1]},
                )
            ),
            None,
        )
        both("statistics", lambda i: expect(public.get("/api/v1/stats")), None)
        both(
            "catalog search «khai sinh» (demo catalogue)",
            lambda i: expect(public.get("/api/v1/catalog/procedures", params={"q": "khai sinh"})),
            None,
        )
    pool.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with running_suite() as suite:
        citizen = register_and_activate(suite, new_citizen("bench"))
        citizen_id = expect(citizen.get("/api/v1/me"))["id"]
        for name in BULK_PROCESSES:
            suite.stop(name)
        dossier_env = suite.processes["dossier"].env
        settings = DossierSettings(
            postgres_dsn=dossier_env["MOTCUA_POSTGRES_DSN"],
            postgres_schema=dossier_env["MOTCUA_DOSSIER_POSTGRES_SCHEMA"],
        )
        loaded, sample = load(settings, args.dossiers, citizen_id)
        pool = open_store_pool(settings, max_size=2, name="bench-wait")
        projected = wait_projected(settings, pool)
        pool.close()
        print(
            f"loaded {args.dossiers:,} dossiers in {loaded:.0f} s; "
            f"projected by the worker {projected:.0f} s after"
        )
        suite.start("notify")  # the statistics page (the relay stays off: no mail storm)
        lines = measure(suite, settings, citizen, args, sample)
        rss = memory(suite)
    print(f"\n{args.clients} clients, {args.requests} requests each row (ms)\n")
    print(f"| {'what':<38} | gateway p50  p99 | bare p50  p99 |")
    print(f"|{'-' * 40}|{'-' * 19}|{'-' * 19}|")
    print("\n".join(lines))
    print("\nRSS (MiB): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.items() if v))


if __name__ == "__main__":
    main()
