"""notify alone: in-app throughput and latency for dossier events, with emails.

``python -m bench.notify_inapp`` (engines from ``/work/engines.env``-style variables):
starts one notify process on a fresh schema and topic prefix, then

- burst: N dossiers (created + submitted = 2N events, each submitted one with an email)
  produced at once; in-app throughput = events / (last entry recorded - first produced);
- paced: dossiers produced at RATE per second for SECONDS; in-app latency =
  ``recorded_at`` of the inbox row minus the event's time (set when produced).

Emails go to the engines' SMTP sink; the time until every email is ``sent`` is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer

from services.notify.tests.integration.support import (
    Stream,
    created,
    later,
    notify_env,
    notify_store,
    start_notify,
)
from tests.support.engines import _from_environment


def _events(run_id: str, count: int) -> list:
    events = []
    for index in range(count):
        stream = Stream("dossier")
        events += [
            created(stream, f"{run_id}-owner-{index}", f"{run_id}-{index}@example.vn"),
            stream.next("submitted", {"code": f"HL-B{index:04d}", "at": later()}),
        ]
    return events


async def _produce(bootstrap: str, topic: str, batches: list[list], pause: float) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    await producer.start()
    try:
        for batch in batches:
            started = time.monotonic()
            sent = []
            for event in batch:
                from datetime import UTC, datetime

                event = event.model_copy(update={"time": datetime.now(UTC)})
                sent.append(
                    await producer.send(topic, value=event.to_bytes(), key=event.subject.encode())
                )
            await asyncio.gather(*sent)
            await asyncio.sleep(max(0.0, pause - (time.monotonic() - started)))
    finally:
        await producer.stop()


def _wait(db, expected: int, what: str, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while True:
        n = db.query(what)[0]["n"]
        if n >= expected:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {n} of {expected} ({what})")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=300, help="dossiers in the burst")
    parser.add_argument("--rate", type=float, default=50.0, help="dossiers per second, paced")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    engines = _from_environment()
    assert engines, "source /work/engines.env first"
    run_id = f"bench_{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp())
    notify = start_notify(notify_env(engines, run_id, tmp), tmp)
    db = notify_store(engines, run_id)
    topic = f"{run_id}.motcua.dossier.events"
    bootstrap = engines.kafka_bootstrap_servers
    try:
        asyncio.run(_produce(bootstrap, topic, [_events(run_id, 1)], 0))  # warm-up
        _wait(db, 2, "SELECT count(*) AS n FROM notifications")
        started = time.monotonic()
        asyncio.run(_produce(bootstrap, topic, [_events(run_id, args.burst)], 0))
        produced = time.monotonic()
        inapp = _wait(db, 2 * args.burst + 2, "SELECT count(*) AS n FROM notifications")
        mailed = _wait(
            db,
            args.burst + 1,
            "SELECT count(*) AS n FROM notifications WHERE email_status = 'sent'",
        )
        events = 2 * args.burst
        print(
            f"burst: {events} events produced in {produced - started:.2f} s; in-app all in"
            f" {inapp - started:.2f} s ({events / (inapp - started):.0f} events/s);"
            f" emails all sent in {mailed - started:.2f} s"
        )
        db.query("DELETE FROM notifications RETURNING 1") if False else None
        mark = db.query("SELECT max(recorded_at) AS t FROM notifications")[0]["t"]
        per_tick = max(1, round(args.rate / 10))
        ticks = round(args.seconds * 10)
        batches = [_events(run_id, per_tick) for _ in range(ticks)]
        asyncio.run(_produce(bootstrap, topic, batches, 0.1))
        total = 2 * args.burst + 2 + 2 * per_tick * ticks
        _wait(db, total, "SELECT count(*) AS n FROM notifications")
        rows = db.query(
            "SELECT extract(epoch FROM recorded_at - created_at) * 1000 AS ms"
            " FROM notifications WHERE recorded_at > %s",
            (mark,),
        )
        lat = sorted(float(r["ms"]) for r in rows)
        p = statistics.quantiles(lat, n=100)
        print(
            f"paced: {per_tick * 10} dossiers/s ({per_tick * 20} events/s) for"
            f" {args.seconds:.0f} s: in-app latency p50 {p[49]:.0f} ms, p95 {p[94]:.0f} ms,"
            f" max {lat[-1]:.0f} ms ({len(lat)} entries)"
        )
    finally:
        notify.stop()
        db.drop()


if __name__ == "__main__":
    main()
