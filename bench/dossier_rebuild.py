"""Replaying one dossier of 1,000 events, and rebuilding every read model from zero.

    .venv/bin/python -m bench.dossier_rebuild [--events 1000] [--dossiers 10000]
                                              [--store sqlite|postgres] [--repeat 5]

1. One dossier with `--events` events: `repository.get` (read, decode, verify nothing,
   mutate) and the audit's `state_as_of` its last event against the baseline of reading
   the same stored events (`select_events`); the median of `--repeat` runs each.
2. `--dossiers` dossiers of 4 events each, then `Projector.rebuild` into a fresh PostgreSQL
   schema (citizen list, queues) against the baseline of reading and decoding
   every notification of the store. Needs the engines (`motcua engines up`) for PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from bench.dossier_common import bench_procedures
from services.dossier.adapters.projector import Projector
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain.chain import verify
from services.dossier.domain.commands import Accept
from services.dossier.domain.filing import Filing
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.pg.migrate import migrate
from shared.pg.pools import open_pool
from shared.settings import ServiceSettings

OFFICER = Actor(
    id="bench-officer", role="officer", agency="NB.HOALU", officer_roles=("receiver", "processor")
)


def _long_dossier(app: DossierApplication, events: int) -> Any:
    actor = Actor(id="bench-long", role="citizen")
    dossier_id = app.start_draft(actor, procedure_code="1.001193", agency_code="NB.HOALU", form={})
    dossier: Filing = app.repository.get(dossier_id)
    for n in range(events - 1):
        dossier.save_form(actor, {"ho_ten": f"Nguyễn Văn {n}"})
        if n % 100 == 99:
            app.save(dossier)
    app.save(dossier)
    return dossier_id


def _many(app: DossierApplication, count: int) -> None:
    for n in range(count):
        actor = Actor(id=f"bench-{n % 500}", role="citizen")
        dossier_id = app.start_draft(
            actor, procedure_code="1.001193", agency_code="NB.HOALU", form={"ho_ten": f"Lê Thị {n}"}
        )
        app.submit(dossier_id, actor)
        if n % 2:
            app.act_as_officer(dossier_id, OFFICER, Accept())


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _median(action: Any, repeat: int) -> tuple[float, Any]:
    runs = [_timed(action) for _ in range(repeat)]
    return statistics.median(seconds for seconds, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = ServiceSettings()
    run = "bench" + uuid.uuid4().hex[:8]
    schema = run if args.store == "postgres" else ""
    dsn = settings.require("postgres_dsn")
    migrate(dsn, run, MIGRATIONS, metadata)  # the read models' schema (and the store's)
    pool = open_pool(dsn, run, max_size=1)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = eventstore_env(
                args.store,
                sqlite_path=Path(tmp) / "events.db",
                postgres_dsn=settings.postgres_dsn,
                postgres_schema=schema,
            )
            app = DossierApplication(env=env, procedures=bench_procedures())
            long_id = _long_dossier(app, args.events)
            base, stored = _median(lambda: app.recorder.select_events(long_id), args.repeat)
            ours, dossier = _median(lambda: app.repository.get(long_id), args.repeat)
            last = app.stored_events(long_id)[-1].timestamp
            audit, as_of = _median(lambda: app.state_as_of(long_id, last), args.repeat)
            chain, report = _median(lambda: verify(app.events.get(long_id)), args.repeat)
            assert dossier.version == as_of.version == args.events == len(stored)
            assert report.valid
            rows += [
                (f"baseline: read {args.events} stored events", base),
                (f"replay one dossier of {args.events} events", ours),
                ("its state as of its last event (audit)", audit),
                ("verify its hash chain", chain),
            ]
            fill, _ = _timed(lambda: _many(app, args.dossiers))
            total = app.recorder.max_notification_id() or 0
            base, _ = _timed(
                lambda: [
                    app.mapper.to_domain_event(n)
                    for n in app.recorder.select_notifications(None, total + 1)
                ]
            )
            projector = Projector(app, pool)
            ours, read = _timed(projector.rebuild)
            with pool.connection() as conn:
                listed = conn.execute("SELECT count(*) AS n FROM dossier_list").fetchone()["n"]
            assert read == total and listed == args.dossiers + 1, (read, total, listed)
            rows += [
                (f"(setup: {args.dossiers} dossiers, {total} events)", fill),
                (f"baseline: read and decode {total} events", base),
                (f"rebuild read models of {listed} dossiers", ours),
            ]
            app.close()
    finally:
        pool.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{run}" CASCADE')
    print(f"store: {args.store}")
    print(f"{'what':<52}{'ms':>10}")
    for what, seconds in rows:
        print(f"{what:<52}{seconds * 1000:>10.1f}")


if __name__ == "__main__":
    main()
