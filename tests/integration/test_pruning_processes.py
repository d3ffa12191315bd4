"""Each pruning process prunes on its own: the dossier worker and notify delete consumed
event ids older than their retention, identity its expired sessions, every round of
``PRUNE_INTERVAL_SECONDS``, and each counts them in ``motcua_pg_pruned_rows_total``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.pg.pools import connection_kwargs
from shared.sealing import public_key_text
from tests.support.engines import Engines
from tests.support.kafka import wait_for
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.integration
EVENTS = "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (%s, %s, %s)"


def pruned(process: ServiceProcess, table: str) -> float:
    metrics = httpx.get(f"{process.url}/metrics", timeout=10).text
    found = re.search(rf'^motcua_pg_pruned_rows_total\{{table="{table}"\}} (\S+)$', metrics, re.M)
    return float(found.group(1)) if found else 0.0


def ids(dsn: str, schema: str, query: str) -> set[str]:
    with psycopg.connect(dsn, **connection_kwargs(schema)) as conn:
        return {next(iter(row.values())) for row in conn.execute(query).fetchall()}


def drop(dsn: str, schema: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.parametrize("service", ["dossier", "notify"])
def test_consumed_event_ids_older_than_the_retention_go(
    engines: Engines, run_id: str, tmp_path: Path, service: str
) -> None:
    prefix = f"MOTCUA_{service.upper()}_"
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        f"{prefix}TOPIC_PREFIX": f"{run_id}.",
        f"{prefix}POSTGRES_SCHEMA": run_id,
        f"{prefix}CONSUMER_GROUP": run_id,
        f"{prefix}PROCESSED_EVENTS_RETENTION_DAYS": "20",
        f"{prefix}PRUNE_INTERVAL_SECONDS": "0.5",
    }
    module = "services.dossier.entrypoints.worker" if service == "dossier" else "services.notify"
    port = f"{prefix}WORKER_PORT" if service == "dossier" else f"{prefix}PORT"
    process = ServiceProcess(module, env, port, tmp_path)
    process.start(90)
    try:
        now = datetime.now(UTC)
        with psycopg.connect(engines.postgres_dsn, **connection_kwargs(run_id)) as conn:
            for n in range(30):
                conn.execute(EVENTS, ("old", f"old-{n}", now - timedelta(days=21, hours=n)))
            conn.execute(EVENTS, ("recent", "within-20-days", now - timedelta(days=19)))
            conn.execute(EVENTS, ("recent", "today", now))
        wait_for(
            lambda: (
                ids(engines.postgres_dsn, run_id, "SELECT consumer FROM processed_events")
                == {"recent"}
            ),
            30,
            f"{service} to prune the old event ids",
        )
        assert ids(engines.postgres_dsn, run_id, "SELECT event_id FROM processed_events") == {
            "within-20-days",
            "today",
        }
        assert pruned(process, "processed_events") == 30
    finally:
        process.stop()
        drop(engines.postgres_dsn, run_id)


def test_identity_deletes_sessions_once_expired(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_IDENTITY_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_IDENTITY_POSTGRES_SCHEMA": run_id,
        "MOTCUA_IDENTITY_PRUNE_INTERVAL_SECONDS": "0.5",
        "MOTCUA_IDENTITY_LINK_SEAL_PUBLIC_KEY": public_key_text(
            X25519PrivateKey.generate().public_key()
        ),
    }
    identity = ServiceProcess("services.identity", env, "MOTCUA_IDENTITY_PORT", tmp_path)
    identity.start(90)
    try:
        now = datetime.now(UTC)
        with psycopg.connect(engines.postgres_dsn, **connection_kwargs(run_id)) as conn:
            for name, expires_at in (
                ("ended", now - timedelta(hours=1)),
                ("live", now + timedelta(days=1)),
            ):
                conn.execute(
                    "INSERT INTO sessions (id, account_id, token_hash, created_at, expires_at)"
                    " VALUES (%s, 'a', 'h', %s, %s)",
                    (name, expires_at - timedelta(days=14), expires_at),
                )
        wait_for(
            lambda: ids(engines.postgres_dsn, run_id, "SELECT id FROM sessions") == {"live"},
            30,
            "identity to prune the expired session",
        )
        assert pruned(identity, "sessions") == 1
    finally:
        identity.stop()
        drop(engines.postgres_dsn, run_id)
