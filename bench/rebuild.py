"""Every dossier read model from 100,000 dossiers' events, beside reading and decoding
the same events alone; then the hot read queries on the result.

    .venv/bin/python -m bench.rebuild [--dossiers 100000] [--agencies 20] [--owners 500]

1. Setup (timed, not a figure): `--dossiers` dossiers filed into a fresh PostgreSQL
   schema through the domain (draft, submitted, every other one accepted), saved 500
   aggregates per transaction, spread over `--agencies` agencies and `--owners` citizens.
2. Baseline: read every notification of the store and decode it into its domain event.
3. `Projector.rebuild` (what `motcua projections rebuild dossier` runs): citizen list,
   queue rows, COPY into the emptied tables in one transaction.
4. The live projector catching up from position 0 into a second schema (`run_once`,
   500 notifications per transaction, upserts) — what the worker does after a backlog.
5. The hot queries on the rebuilt tables after `VACUUM ANALYZE` (as autovacuum does after
   a load), `EXPLAIN (ANALYZE, BUFFERS)` and the median of 20 runs:
   a citizen's list page 1 and a deep keyset page, an agency's queue page and its five
   counts, a lookup by code.
Needs the engines (`motcua engines up`) for PostgreSQL.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.dossier_common import PROCEDURE
from services.dossier.adapters.projector import Projector
from services.dossier.adapters.queries import COUNTS, ReadModels, counts_params
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication, DossierCode
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.dossier import Dossier
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.pg.migrate import migrate
from shared.pg.pools import open_pool
from shared.settings import ServiceSettings
from shared.workdays import WorkCalendar


def _fill(app: DossierApplication, count: int, agencies: list[str], owners: int) -> None:
    procedure = dataclasses.replace(PROCEDURE, agency_codes=tuple(agencies))
    calendar, batch = WorkCalendar(), []
    now = datetime.now(UTC)
    for n in range(count):
        actor = Actor(id=f"bench-{n % owners}", role="citizen")
        agency = agencies[n % len(agencies)]
        dossier = Dossier.start_draft(
            actor, procedure=procedure, agency_code=agency, form={"ho_ten": f"Lê Thị {n}"}
        )
        dossier.submit(actor, now)
        if (n // len(agencies)) % 2:  # every agency: half its dossiers accepted
            officer = Actor(
                id=f"officer-{agency}",
                role="officer",
                agency=agency,
                officer_roles=("receiver", "processor"),
            )
            dossier.accept(officer, now=now, calendar=calendar)
        assert dossier.code is not None
        batch += [dossier, DossierCode(dossier.code, dossier.id)]
        if len(batch) >= 1000:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _decode_all(app: DossierApplication) -> int:
    position, decoded = 0, 0
    while True:
        page = app.recorder.select_notifications(position, 10_000, inclusive_of_start=False)
        if not page:
            return decoded
        decoded += len([app.mapper.to_domain_event(n) for n in page])
        position = page[-1].id


def _catch_up(projector: Projector) -> int:
    total = 0
    while read := projector.run_once():
        total += read
    return total


def _median_ms(conn: psycopg.Connection[Any], query: str, params: Any) -> tuple[float, str]:
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params).fetchall()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        conn.execute(query, params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    first = next(iter(plan[0].values()))
    scans = [next(iter(r.values())).strip() for r in plan if "Scan" in next(iter(r.values()))]
    return statistics.median(times), f"{first.split('  (')[0]} / {'; '.join(scans)[:150]}"


def _queries(dsn: str, schema: str, pool: Any, agencies: list[str]) -> list[tuple[str, float, str]]:
    # what autovacuum does soon after a load: statistics, and the visibility map that
    # lets the counts be an index-only scan
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in ("dossier_list", "dossier_queue", "queue_sizes"):
            conn.execute(f'VACUUM ANALYZE "{schema}".{table}')
    models, calendar = ReadModels(pool), WorkCalendar()
    now = datetime.now(UTC)
    with pool.connection() as conn:
        deep = models.my_dossiers("bench-7", 1, 20)
        for _ in range(4):  # the 5th page by keyset
            deep = models.my_dossiers("bench-7", 1, 20, after=deep["next"])
        code = conn.execute(
            "SELECT code FROM dossier_list WHERE code IS NOT NULL LIMIT 1"
        ).fetchone()["code"]
        listed = (
            "SELECT id FROM dossier_list WHERE owner_id = %s"
            " ORDER BY updated_at DESC, id DESC LIMIT 21"
        )
        queue = (
            "SELECT l.id FROM dossier_queue q JOIN dossier_list l ON l.id = q.id"
            " WHERE q.agency = %s AND q.stage = 'working'"
            " ORDER BY q.appointment_at, q.id LIMIT 21"
        )
        counts = counts_params(agencies[0], now, calendar)
        cases = [
            ("a citizen's list, page 1", listed, ("bench-7",)),
            (
                "a citizen's list, keyset page 5",
                listed.replace("ORDER", "AND (updated_at, id) < (%s, %s) ORDER"),
                (
                    "bench-7",
                    deep["items"][0]["updated_at"],
                    deep["items"][0]["id"],
                ),
            ),
            ("an agency's queue page (in processing)", queue, (agencies[0],)),
            ("an agency's five queue counts", COUNTS, counts),
            ("lookup by code", "SELECT id FROM dossier_list WHERE code = %s", (code,)),
        ]
        return [(what, *_median_ms(conn, q, p)) for what, q, p in cases]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--owners", type=int, default=500)
    args = parser.parse_args()
    dsn = ServiceSettings().require("postgres_dsn")
    run = "bench" + uuid.uuid4().hex[:8]
    live = run + "_live"
    for schema in (run, live):
        migrate(dsn, schema, MIGRATIONS, metadata)
    pool, live_pool = open_pool(dsn, run, max_size=2), open_pool(dsn, live, max_size=1)
    agencies = [f"NB.A{n:02d}" for n in range(args.agencies)]
    app = DossierApplication(
        env=eventstore_env("postgres", postgres_dsn=dsn, postgres_schema=run),
        procedures=InMemoryProcedures(),
    )
    rows: list[tuple[str, float]] = []
    try:
        fill, _ = _timed(lambda: _fill(app, args.dossiers, agencies, args.owners))
        total = app.recorder.max_notification_id() or 0
        print(f"setup: {args.dossiers} dossiers, {total} events in {fill:.1f}s", flush=True)
        base, decoded = _timed(lambda: _decode_all(app))
        rows.append((f"baseline: read and decode {decoded} events", base))
        ours, last = _timed(Projector(app, pool).rebuild)
        rows.append((f"rebuild every read model of {args.dossiers} dossiers", ours))
        caught, read = _timed(lambda: _catch_up(Projector(app, live_pool)))
        rows.append((f"live projector from position 0 ({read} notifications)", caught))
        assert last == total == read == decoded, (last, total, read, decoded)
        with pool.connection() as conn:
            listed = conn.execute("SELECT count(*) AS n FROM dossier_list").fetchone()["n"]
        assert listed == args.dossiers, listed
        plans = _queries(dsn, run, pool, agencies)
    finally:
        app.close()
        pool.close()
        live_pool.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            for schema in (run, live):
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"{'what':<60}{'seconds':>10}")
    for what, seconds in rows:
        print(f"{what:<60}{seconds:>10.2f}")
    print(f"\n{'query':<44}{'median ms':>10}  plan")
    for what, ms, plan in plans:
        print(f"{what:<44}{ms:>10.2f}  {plan}")


if __name__ == "__main__":
    main()
