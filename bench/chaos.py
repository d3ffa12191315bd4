"""Crashes under load lose nothing: dossiers filed through the gateway while a seeded
schedule of SIGKILLs hits the suite's consumers and relays, then every effect counted.

    .venv/bin/python -m bench.chaos [--events 10000] [--kills 10] [--seed N]
                                    [--citizens 8] [--warmup 100]

Starts the whole suite (as the end-to-end tests do, real engines), registers citizens
and logs in the ward's officers (``bench/chaos_load.py``). First a warm-up without kills
(``--warmup`` dossier events), drained and counted: the baseline. Then the chaos run:
filing until about ``--events`` more dossier events are in the event store, while
``--kills`` SIGKILLs, at seeded random points of that stretch, hit one of the dossier
relay, the dossier worker, the payment worker and notify (each started again after a
seeded pause of 0.5–3 s; one kill at a time). National sync is not in the suite yet, so
it is not among them. After the load, the drain: until no effect is missing (or
``DRAIN_SECONDS``); then every effect is counted against the stores
(``bench/chaos_effects.py``). Exit 1 if anything is lost or doubled.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from dataclasses import dataclass, field

import psycopg

from bench.chaos_effects import CHECKS, Effects, Maildir, count_effects
from bench.chaos_load import Load
from tests.e2e.suite import Suite

TARGETS = ("dossier-relay", "dossier-worker", "payment-worker", "notify")
DRAIN_SECONDS = 600.0
GRACE_SECONDS = 3.0  # after the drain: anything still in flight would show as doubled


@dataclass
class Run:
    name: str
    events: int
    effects: Effects
    drain_seconds: float
    failed: int
    approved: int  # dossiers moved on to payment by the officers
    paid: int
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TARGETS, 0))


class Progress:
    """The dossier events in the store, refreshed by a thread every half second."""

    def __init__(self, suite: Suite) -> None:
        self.sql = (
            f'SELECT count(*) FROM "{suite.run_id}_dossier".dossier_events'
            " WHERE topic NOT LIKE '%:DossierCode.%'"
        )
        self.dsn = suite.engines.postgres_dsn
        self.conn: psycopg.Connection | None = None
        self.events = self._count()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._refresh, name="chaos-progress")
        self.thread.start()

    def _count(self) -> int:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn, autocommit=True)
        row = self.conn.execute(self.sql).fetchone()
        return int(row[0]) if row else 0

    def _refresh(self) -> None:
        while not self.stopped.wait(0.5):
            try:
                self.events = self._count()
            except psycopg.Error:  # the next half second tries again, on a new connection
                if self.conn is not None:
                    self.conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        if self.conn is not None:
            self.conn.close()


class Killer:
    """Seeded kills at event counts between 5 % and 90 % of the run, one at a time."""

    def __init__(self, suite: Suite, progress: Progress, events: int, kills: int, seed: int):
        rng = random.Random(seed)
        start = progress.events
        self.plan = sorted(
            (start + int(rng.uniform(0.05, 0.9) * events), rng.choice(TARGETS), rng.uniform(0.5, 3))
            for _ in range(kills)
        )
        self.suite, self.progress = suite, progress
        self.done = threading.Event()
        self.kills = dict.fromkeys(TARGETS, 0)
        self.thread = threading.Thread(target=self._run, name="chaos-killer")

    def _run(self) -> None:
        try:
            for at, target, pause in self.plan:
                while self.progress.events < at:
                    time.sleep(0.2)
                process = self.suite.processes[target]
                process.kill()
                self.kills[target] += 1
                print(f"  SIGKILL {target} at {self.progress.events} events", flush=True)
                time.sleep(pause)
                process.start(120.0)
        finally:
            self.done.set()


def drain(
    suite: Suite, maildir: Maildir, load: Load, notify_kills: int, limit: float
) -> tuple[float, Effects]:
    """Seconds until no effect is missing; then the full count after a grace period."""
    started = told = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            effects = count_effects(suite, maildir, notify_kills, load.ledger.owners, full=False)
        except psycopg.OperationalError as error:  # a shared server out of connections
            print(f"  drain: {error}", flush=True)
            time.sleep(1.0)
            continue
        if effects.lost == 0:
            break
        if time.monotonic() - told > 15:
            told = time.monotonic()
            missing = {c: n.lost for c, n in effects.checks.items() if n.lost}
            print(f"  drain, {told - started:.0f} s: still missing {missing}", flush=True)
        time.sleep(1.0)
    seconds = time.monotonic() - started
    time.sleep(GRACE_SECONDS)
    return seconds, count_effects(suite, maildir, notify_kills, load.ledger.owners, full=True)


def run(
    suite: Suite,
    load: Load,
    maildir: Maildir,
    name: str,
    plan: tuple[int, int, int],
    drain_seconds: float,
) -> Run:
    events, kills, seed = plan
    progress = Progress(suite)
    ledger = load.ledger
    start, failed, approved, paid = progress.events, ledger.failed, ledger.approved, ledger.paid
    killer = Killer(suite, progress, events, kills, seed)
    try:
        killer.thread.start()
        load.run(lambda: progress.events - start >= events and killer.done.is_set())
        killer.thread.join()
    finally:
        progress.stop()
    seconds, effects = drain(suite, maildir, load, killer.kills["notify"], drain_seconds)
    return Run(
        name,
        effects.events - start,
        effects,
        seconds,
        ledger.failed - failed,
        ledger.approved - approved,
        ledger.paid - paid,
        killer.kills,
    )


def chaos(
    suite: Suite,
    events: int,
    kills: int,
    seed: int,
    citizens: int = 8,
    warmup: int = 0,
    drain_seconds: float = DRAIN_SECONDS,
) -> list[Run]:
    """The baseline (if ``warmup``) and the chaos run, on a started suite."""
    maildir = Maildir(suite.maildir, time.time() - 5)
    load = Load(suite, citizens)
    try:
        runs = []
        if warmup:
            plan = (warmup, 0, seed)
            runs.append(run(suite, load, maildir, "warm-up, no kills", plan, drain_seconds))
        plan = (events, kills, seed)
        runs.append(run(suite, load, maildir, f"chaos, seed {seed}", plan, drain_seconds))
    finally:
        load.close()
    return runs


def report(runs: list[Run]) -> str:
    lines = [
        "| run | dossier events | dossiers (all) | approved / paid"
        " | kills: relay / worker / payment / notify | lost | doubled | emails resent"
        " | republished on Kafka | calls failed | drain s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        kills = " / ".join(str(r.kills[t]) for t in TARGETS)
        e = r.effects
        lines.append(
            f"| {r.name} | {r.events:,} | {e.dossiers:,} | {r.approved} / {r.paid}"
            f" | {kills} | {e.lost} | {e.doubled}"
            f" | {e.checks['email'].extra} | {e.checks['kafka'].extra} | {r.failed}"
            f" | {r.drain_seconds:.1f} |"
        )
    lines += ["", "| effect (all runs) | lost | doubled |", "|---|---|---|"]
    last = runs[-1].effects
    lines += [f"| {c} | {last.checks[c].lost} | {last.checks[c].doubled} |" for c in CHECKS]
    lines.append("\nnational sync: not in the suite yet, so not among the processes killed")
    return "\n".join(lines)


def main() -> None:
    from bench.suite_load import running_suite

    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--citizens", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    with running_suite() as suite:
        identity = suite.processes["identity"]  # a long run outlives the 10-minute tokens
        identity.env["MOTCUA_IDENTITY_ACCESS_TOKEN_MINUTES"] = "60"
        suite.stop("identity")
        suite.start("identity")
        print("suite started; registering citizens", flush=True)
        runs = chaos(suite, args.events, args.kills, args.seed, args.citizens, args.warmup)
    print("\n" + report(runs))
    sys.exit(1 if any(r.effects.lost or r.effects.doubled for r in runs) else 0)


if __name__ == "__main__":
    main()
