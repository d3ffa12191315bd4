"""Sustained submissions through the gateway: submit → in-app notification and → email.

    .venv/bin/python -m bench.pipeline [--rates 5,20,50] [--seconds 120] [--citizens 5]
                                       [--profile DIR [--spy gateway,dossier]]

Starts the whole suite (as the end-to-end tests do) and registers ``--citizens``
citizens. At each rate, for ``--seconds`` seconds, one «Cấp bản sao trích lục hộ tịch»
dossier is filed on schedule (draft with its form, the tờ khai and the identity paper
uploaded, submitted: four calls through the gateway, from a pool of threads so a slow
answer does not delay the next start; a refused or timed-out call counts as failed).
A submission's in-app latency is from the submit call's answer to the moment notify
recorded the citizen's inbox entry (``recorded_at``), its email latency to
the moment the SMTP server accepted the email (``email_at``): both read from notify's
schema after the rate's run plus a drain of up to 60 s. Figures: p50 / p95 / max in
seconds, submissions that got no notification, and the consumer lag left. The baseline
of the same run is the submit call itself (its p50 / p95), the floor under any latency.

Where the time goes, at the last (highest) rate: each service's CPU seconds over the
run, and with ``--profile DIR`` a py-spy profile of the ``--spy`` processes (the gateway
and the dossier service by default) for the filing window (raw stacks in DIR, the top
frames printed).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.profile import cpu_seconds, profiling, summary
from bench.suite_load import expect, memory, p, running_suite
from tests.e2e.journey import (
    EXTRACT,
    WARD,
    Session,
    applicant,
    new_citizen,
    pdf,
    register_and_activate,
)
from tests.e2e.suite import Suite

DRAIN_SECONDS = 60.0


def file_one(citizen: Session, person: Any, n: int) -> tuple[str, datetime, float] | None:
    """One dossier filed; its id, when submit answered (UTC) and the submit call's seconds;
    None if a call was refused or timed out (the suite did not hold the rate)."""
    try:
        return _file(citizen, person, n)
    except (RuntimeError, httpx.HTTPError):
        return None


def _file(citizen: Session, person: Any, n: int) -> tuple[str, datetime, float]:
    form = {
        **applicant(person.full_name, person.national_id, person.email),
        "loai_trich_luc": "Khai sinh",
        "ho_ten_nguoi_duoc_cap": f"Trần Minh {n}",
        "so_ban": 1,
    }
    dossier_id = expect(
        citizen.post(
            "/api/v1/dossiers", json={"procedure_code": EXTRACT, "agency_code": WARD, "form": form}
        ),
        201,
    )["id"]
    for document in ("TK", "GTTT"):  # the tờ khai and the applicant's identity paper
        expect(
            citizen.post(
                f"/api/v1/dossiers/{dossier_id}/attachments",
                data={"document_code": document},
                files={"file": (f"{document}-{n}.pdf", pdf(f"{document}-{n}"), "application/pdf")},
            ),
            201,
        )
    started = time.perf_counter()
    expect(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))
    return dossier_id, datetime.now(UTC), time.perf_counter() - started


def run_rate(
    people: list[tuple[Session, Any]], rate: float, seconds: float
) -> list[tuple[str, datetime, float] | None]:
    total = int(rate * seconds)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(8, int(rate * 2))) as pool:
        futures = []
        for n in range(total):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            citizen, person = people[n % len(people)]
            futures.append(pool.submit(file_one, citizen, person, n))
        return [f.result() for f in futures]


def notified(suite: Suite, dossier_ids: list[str]) -> dict[str, tuple[Any, Any]]:
    """recorded_at and email_at of each dossier's «đã nộp» entry for its owner."""
    schema = suite.processes["notify"].env["MOTCUA_NOTIFY_POSTGRES_SCHEMA"]
    with psycopg.connect(suite.engines.postgres_dsn) as conn:
        rows = conn.execute(
            f'SELECT subject, recorded_at, email_at FROM "{schema}".notifications'
            " WHERE subject = ANY(%s) AND event_type = 'vn.motcua.dossier.submitted'"
            " AND id = source_id",
            (dossier_ids,),
        ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def lag(suite: Suite) -> float:
    """The consumer lag notify reports on /metrics (summed over partitions)."""
    text = httpx.get(f"{suite.url('notify')}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("motcua_consumer_lag{")
    )


def measure_rate(
    suite: Suite, people: list[tuple[Session, Any]], rate: float, seconds: float
) -> tuple[str, float, int]:
    """The table row of one rate, its in-app p95 in seconds and the submissions filed."""
    attempts = run_rate(people, rate, seconds)
    filed = [f for f in attempts if f is not None]
    failed = len(attempts) - len(filed)
    ids = [d for d, _, _ in filed]
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        found = notified(suite, ids)
        if len(found) == len(ids) and all(e for _, e in found.values()):
            break
        time.sleep(1.0)
    left = lag(suite)
    in_app, email, missing = [], [], 0
    for dossier_id, answered, _ in filed:
        recorded, emailed = found.get(dossier_id, (None, None))
        if recorded is None:
            missing += 1
            continue
        in_app.append(max((recorded - answered).total_seconds(), 0.0))
        if emailed is not None:
            email.append(max((emailed - answered).total_seconds(), 0.0))
    submit = [s for _, _, s in filed]

    def cut(samples: list[float]) -> str:
        if not samples:
            return "     -      -      -"
        return f"{p(samples, 50) / 1000:6.2f} {p(samples, 95) / 1000:6.2f} {max(samples):6.2f}"

    held = p(in_app, 95) / 1000 if in_app and not missing and not failed else float("inf")
    return (
        (
            f"| {rate:5.0f}/s | {len(filed):6} | {failed:6} | {cut(submit)} | {cut(in_app)}"
            f" | {cut(email)} | {missing:7} | {left:6.0f} |"
        ),
        held,
        len(filed),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="5,20,50")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--citizens", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="py-spy the last rate into this directory")
    parser.add_argument("--spy", default="gateway,dossier", help="the processes to profile")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    with running_suite() as suite:
        people = []
        for n in range(args.citizens):
            person = new_citizen(f"pipeline{n}")
            people.append((register_and_activate(suite, person), person))
        idle = memory(suite)
        results = [measure_rate(suite, people, rate, args.seconds) for rate in rates[:-1]]
        pids = {
            name: process.process.pid
            for name, process in suite.processes.items()
            if process.process is not None
        }
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        spied = {name: pids[name] for name in args.spy.split(",")} if args.profile else {}
        with profiling(spied, args.profile or Path("."), args.seconds):
            results.append(measure_rate(suite, people, rates[-1], args.seconds))
        used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        loaded = memory(suite)
    print("\nseconds: p50 p95 max; baseline = the submit call itself\n")
    print(
        "| rate | filed | failed | submit call (baseline) | submit → in-app"
        " | submit → email | missing | lag |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(line for line, _, _ in results))
    held = [rate for rate, (_, p95, _) in zip(rates, results, strict=True) if p95 < 1.0]
    print(f"\nhighest rate held with in-app p95 under 1 s: {max(held) if held else 'none'}/s")
    print(
        "\nRSS idle / after the runs (MiB): "
        + ", ".join(f"{k} {idle[k]:.0f}/{loaded[k]:.0f}" for k in idle if idle[k])
    )
    filed = results[-1][2]
    print(
        f"\nCPU at {rates[-1]:.0f}/s, the run and its drain, in ms per submission filed"
        f" ({sum(used.values()) / max(filed, 1) * 1000:.0f} in all): "
        + ", ".join(
            f"{k} {v / max(filed, 1) * 1000:.1f}"
            for k, v in sorted(used.items(), key=lambda kv: -kv[1])
        )
    )
    for name in spied:
        print("\n" + summary(args.profile / f"{name}.txt"))


if __name__ == "__main__":
    main()
