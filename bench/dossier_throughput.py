"""Dossier commands through the HTTP API, and event appends, each next to a baseline.

    .venv/bin/python -m bench.dossier_throughput [--commands 2000] [--threads 8]
                                                 [--store sqlite|postgres]

1. HTTP: `PUT /api/v1/dossiers/{id}/form` (a full command: load, check, append) from
   `--threads` client threads, against a trivial FastAPI endpoint (a sync route that
   returns a constant) served by the same uvicorn server in the same run.
2. Appends: `DossierApplication.save` of a form change (one event, hash chained),
   against the `eventsourcing` library's bare append of a one-field aggregate event on
   the same database.
Requests and appends are bounded in count; everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvicorn
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.dossier_common import bench_procedures
from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain.filing import Filing
from services.dossier.entrypoints.http.app import dossier_app
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings
from tests.support import tokens

CITIZEN = Actor(id="bench-citizen", role="citizen")
HEADERS = tokens.caller_of(CITIZEN)


class Counter(Aggregate):
    @event("Incremented")
    def increment(self, value: int) -> None:
        self.value = value


def _serve(dossiers: DossierApplication) -> tuple[uvicorn.Server, int]:
    app = dossier_app()
    app.state.verifier = tokens.verifier()
    app.state.dossiers = dossiers

    @app.get("/bench/noop")
    def noop() -> dict[str, str]:  # sync, like the dossier routes: same thread pool
        return {"status": "ok"}

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, port


def _draft_of(drafts: list[str], n: int, threads: int) -> str:
    """Command n runs on client thread n % threads, which has its own block of drafts."""
    per_thread = len(drafts) // threads
    return drafts[(n % threads) * per_thread + (n // threads) % per_thread]


def _hammer(url: str, method: str, bodies: list[Any], threads: int) -> float:
    def worker(chunk: list[Any]) -> None:
        with httpx.Client(timeout=30) as client:
            for path, body in chunk:
                response = client.request(method, url + path, json=body, headers=HEADERS)
                assert response.status_code == 200, response.text

    chunks = [bodies[n::threads] for n in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, chunks))
    return time.perf_counter() - started


def _appends(env: dict[str, str], count: int) -> tuple[float, float]:
    dossiers = DossierApplication(env=env, procedures=bench_procedures())
    dossier_id = dossiers.start_draft(
        CITIZEN, procedure_code="1.001193", agency_code="NB.HOALU", form={}
    )
    dossier: Filing = dossiers.repository.get(dossier_id)
    started = time.perf_counter()
    for n in range(count):
        dossier.save_form(CITIZEN, {"ho_ten": f"Nguyễn Văn {n}"})
        dossiers.save(dossier)
    ours = time.perf_counter() - started
    dossiers.close()
    bare: Application[uuid.UUID] = Application(env={**env, "APPLICATION_NAME": "bench"})
    counter = Counter()
    bare.save(counter)
    started = time.perf_counter()
    for n in range(count):
        counter.increment(n)
        bare.save(counter)
    baseline = time.perf_counter() - started
    bare.close()
    return ours, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--drafts",
        type=int,
        default=200,
        help="dossiers the commands rotate over (a command replays its dossier)",
    )
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    settings = ServiceSettings()
    schema = ""
    if args.store == "postgres":
        schema = "bench" + uuid.uuid4().hex[:8]
        with psycopg.connect(settings.require("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = eventstore_env(
                args.store,
                sqlite_path=Path(tmp) / "events.db",
                postgres_dsn=settings.postgres_dsn,
                postgres_schema=schema,
            )
            dossiers = DossierApplication(env=env, procedures=bench_procedures())
            server, port = _serve(dossiers)
            url = f"http://127.0.0.1:{port}"
            # each client thread works on its own drafts (measuring work, not version
            # conflicts); with the defaults a dossier gets about 10 events, a typical life
            drafts = [
                str(
                    dossiers.start_draft(
                        CITIZEN, procedure_code="1.001193", agency_code="NB.HOALU", form={}
                    )
                )
                for _ in range(max(args.drafts, args.threads))
            ]
            commands = [
                (
                    f"/api/v1/dossiers/{_draft_of(drafts, n, args.threads)}/form",
                    {"form": {"ho_ten": f"Trần Thị {n}"}},
                )
                for n in range(args.commands)
            ]
            noop = [("/bench/noop", None)] * args.commands
            base_http = _hammer(url, "GET", noop, args.threads)
            ours_http = _hammer(url, "PUT", commands, args.threads)
            server.should_exit = True
            dossiers.close()
            appends = min(args.commands, 2000)
            ours_append, base_append = _appends(
                eventstore_env(
                    args.store,
                    sqlite_path=Path(tmp) / "appends.db",
                    postgres_dsn=settings.postgres_dsn,
                    postgres_schema=schema,
                ),
                appends,
            )
    finally:
        if schema:
            with psycopg.connect(settings.require("postgres_dsn"), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    rows = [
        ("baseline: trivial FastAPI endpoint", args.commands, base_http),
        ("dossier command PUT .../form", args.commands, ours_http),
        ("baseline: bare eventsourcing append", appends, base_append),
        ("dossier event append (hash chained)", appends, ours_append),
    ]
    print(f"store: {args.store}  client threads: {args.threads}")
    print(f"{'what':<40}{'count':>8}{'seconds':>10}{'per s':>10}")
    for what, count, seconds in rows:
        print(f"{what:<40}{count:>8}{seconds:>10.2f}{count / seconds:>10.0f}")
    print(
        f"HTTP commands / baseline: {base_http / ours_http:.0%}; "
        f"appends / baseline: {base_append / ours_append:.0%}"
    )


if __name__ == "__main__":
    main()
