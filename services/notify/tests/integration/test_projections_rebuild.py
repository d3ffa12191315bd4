"""``motcua projections rebuild notify``: the live agents' projections (dossiers, accounts,
calendar overrides) rebuilt from the topics into another schema are the same rows, and
rebuilt in place from zero they stay so; the inbox (read flags) is left alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from services.notify.tests.integration.support import (
    AGENCY,
    NotifyStore,
    Stream,
    account,
    caught_up,
    created,
    later,
    notify_env,
    notify_store,
    publish_raw,
    send,
    start_notify,
    wait_for,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[4]
TABLES = ("dossiers", "accounts", "calendar_overrides")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua_ops.cli", "projections", "rebuild", "notify", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _snapshot(dsn: str, schema: str) -> dict[str, list[dict[str, Any]]]:
    store = NotifyStore(dsn, schema)
    return {t: store.query(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def test_rebuilt_projections_equal_the_live_ones(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap, dsn = engines.kafka_bootstrap_servers, engines.postgres_dsn
    owner, officer = f"{run_id}-owner", f"{run_id}-officer"
    env = notify_env(engines, run_id, tmp_path)
    notify = start_notify(env, tmp_path)
    db = notify_store(engines, run_id)
    rebuilt = f"{run_id}_rebuilt"
    try:
        officer_stream = Stream("identity", officer)
        send(
            bootstrap,
            f"{run_id}.motcua.identity.events",
            [
                account(owner, f"{owner}@example.vn", "Nguyễn Thị Hoa"),
                officer_stream.next(
                    "account_registered",
                    {
                        "account_id": officer,
                        "kind": "officer",
                        "email": f"{officer}@example.vn",
                        "full_name": "Trần Văn Bình",
                        "agency_code": AGENCY,
                    },
                ),
                officer_stream.next("account_activated", {}),
                officer_stream.next("profile_updated", {"full_name": "Trần Văn Bính"}),
            ],
        )
        one, two = Stream("dossier"), Stream("dossier")
        send(
            bootstrap,
            f"{run_id}.motcua.dossier.events",
            [
                created(one, owner, f"{owner}-form@example.vn"),
                one.next("submitted", {"code": f"HL-{run_id[-6:]}-A", "at": later()}),
                one.next(
                    "accepted",
                    {"at": later(), "appointment_at": later(days=20), "received_documents": []},
                ),
                one.next("transferred", {"to_agency": "NB.NINHXUAN", "at": later()}),
                created(two, owner, ""),
                two.next("submitted", {"code": f"HL-{run_id[-6:]}-B", "at": later()}),
                Stream("dossier").next("created", {"agency_code": AGENCY}),  # no owner: parked
            ],
        )
        calendar = Stream("catalog", "calendar-2027")
        send(
            bootstrap,
            f"{run_id}.motcua.catalog.events",
            [
                calendar.next(
                    "calendar_updated",
                    {"year": 2027, "days_off": ["2027-02-08"], "working_days": [], "reason": "Tết"},
                ),
                calendar.next(
                    "calendar_updated",
                    {
                        "year": 2027,
                        "days_off": ["2027-02-08", "2027-02-09"],
                        "working_days": ["2027-02-20"],
                        "reason": "Tết",
                    },
                ),
            ],
        )
        asyncio.run(publish_raw(bootstrap, f"{run_id}.motcua.dossier.events", b"x", b"not json"))
        contexts = ("identity", "dossier", "catalog")
        wait_for(lambda: caught_up(bootstrap, run_id, contexts), 90, "notify to catch up")
        live = _snapshot(dsn, run_id)
        assert [len(live[t]) for t in TABLES] == [2, 2, 1]
        assert live["dossiers"][0]["version"] + live["dossiers"][1]["version"] == 6
        db.query("UPDATE notifications SET read = true RETURNING id")
        inbox = db.query("SELECT id, read FROM notifications ORDER BY id")
        assert inbox

        into_other = _cli(env, "--schema", rebuilt)
        assert into_other.returncode == 0, into_other.stderr
        assert "from 13 events" in into_other.stdout, into_other.stdout
        assert "1 undecodable and 1 unprojectable" in into_other.stdout, into_other.stdout
        assert _snapshot(dsn, rebuilt) == live

        in_place = _cli(env)  # from zero, notify still running
        assert in_place.returncode == 0, in_place.stderr
        assert _snapshot(dsn, run_id) == live
        assert db.query("SELECT id, read FROM notifications ORDER BY id") == inbox
    finally:
        notify.stop()
        db.drop()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{rebuilt}" CASCADE')
