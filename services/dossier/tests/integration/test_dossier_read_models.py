"""Read models on the real engines: the citizen's list, the agency's work queues, a
rebuild from zero equal to the live projection, and the audit CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from services.dossier.tests.integration.test_dossier_lifecycle_api import (
    AGENCY,
    AUDITOR,
    PDF,
    PROCEDURE,
    _event,
    _eventually,
    _ok,
    _publish,
    citizen,
    officer,
    wallet_document,
)
from tests.support.dossier_store import rows
from tests.support.engines import Engines
from tests.support.processes import ROOT, ServiceProcess

pytestmark = pytest.mark.integration


def _file(client: httpx.Client, account: str, name: str, last4: str) -> tuple[str, str]:
    who = citizen(account)
    created = _ok(
        client.post(
            "/api/v1/dossiers",
            headers=who,
            json={
                "procedure_code": "1.001193",
                "agency_code": AGENCY,
                "form": {"ho_ten_tre": name, "so_dinh_danh": "03620100" + last4},
            },
        ),
        201,
    )
    base = f"/api/v1/dossiers/{created['id']}"
    _ok(
        client.post(
            f"{base}/attachments",
            headers=who,
            data={"document_code": "giay_chung_sinh"},
            files={"file": ("gcs.pdf", PDF, "application/pdf")},
        ),
        201,
    )
    link = {"document_code": "cccd", "wallet_document_id": f"doc-{account}"}
    _eventually(
        lambda: client.post(f"{base}/wallet-documents", headers=who, json=link).status_code == 201,
        "the wallet document",
    )
    return created["id"], _ok(client.post(f"{base}/submit", headers=who))["code"]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua_ops.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _snapshot(dsn: str, schema: str) -> dict[str, list[dict[str, Any]]]:
    return {name: rows(dsn, schema, name) for name in ("dossier_list", "dossier_queue")}


def test_lists_queues_rebuild_and_audit_cli(
    engines: Engines, event_store_env: dict[str, str], run_id: str, tmp_path: Path
) -> None:
    env = {
        **engines.env(),
        **event_store_env,
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_DOSSIER_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_DOSSIER_CONSUMER_GROUP": run_id,
    }
    dsn = engines.postgres_dsn
    worker = ServiceProcess(
        "services.dossier.entrypoints.worker", env, "MOTCUA_DOSSIER_WORKER_PORT", tmp_path
    ).start()
    api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path)
    try:
        api.start()
        fast = {**PROCEDURE, "time_limit_days": 1}
        asyncio.run(
            _publish(
                engines.kafka_bootstrap_servers,
                f"{run_id}.motcua.catalog.events",
                _event("catalog", "procedure_published", "1.001193", fast),
            )
        )
        _eventually(lambda: len(rows(dsn, run_id, "procedures")) == 1, "the procedure")
        an_id, binh_id = f"{run_id}-an", f"{run_id}-binh"
        an, binh = citizen(an_id), citizen(binh_id)
        for account in (an_id, binh_id):
            asyncio.run(
                _publish(
                    engines.kafka_bootstrap_servers,
                    f"{run_id}.motcua.identity.events",
                    wallet_document(account, f"doc-{account}"),
                )
            )
        with httpx.Client(base_url=api.url, timeout=30) as client:
            first, _ = _file(client, an_id, "Trần Gia An", "1111")
            second, code = _file(client, an_id, "Trần Gia Bảo", "2222")
            third, _ = _file(client, binh_id, "Lê Bình", "3333")
            act = "/api/v1/officer/dossiers"
            _ok(client.post(f"{act}/{second}/accept", headers=officer(), json={}))
            _ok(
                client.post(
                    f"{act}/{third}/request-supplement",
                    headers=officer(),
                    json={
                        "items": [{"document_code": "cccd", "reason": "Hết hạn"}],
                        "reason": "Bổ sung",
                    },
                )
            )

            def settled() -> bool:
                versions = {d["id"]: d["version"] for d in rows(dsn, run_id, "dossier_list")}
                wanted = {
                    i: len(
                        _ok(
                            client.get(
                                f"/api/v1/audit/dossiers/{i}/events",
                                headers=AUDITOR,
                            )
                        )["events"]
                    )
                    for i in (first, second, third)
                }
                return versions == wanted

            _eventually(settled, "the projector to catch up")

            mine = _ok(client.get("/api/v1/dossiers", headers=an))
            assert {d["id"] for d in mine["items"]} == {first, second} and mine["total"] == 2
            assert mine["items"][0]["id"] == second  # most recently changed first
            found = _ok(client.get("/api/v1/dossiers", headers=an, params={"q": "bao"}))
            assert [d["id"] for d in found["items"]] == [second]  # diacritics ignored
            assert _ok(client.get("/api/v1/dossiers", headers=binh))["total"] == 1
            paged = _ok(client.get("/api/v1/dossiers", headers=an, params={"size": 1, "page": 2}))
            assert [d["id"] for d in paged["items"]] == [first]
            top = _ok(client.get("/api/v1/dossiers", headers=an, params={"size": 1}))
            assert [d["id"] for d in top["items"]] == [second] and top["next"]
            seek = _ok(
                client.get("/api/v1/dossiers", headers=an, params={"size": 1, "after": top["next"]})
            )
            assert [d["id"] for d in seek["items"]] == [first] and seek["next"] is None
            bad = client.get("/api/v1/dossiers", headers=an, params={"after": "x"})
            assert bad.status_code == 400
            assert bad.headers["content-type"].startswith("application/problem+json")

            def queue(name: str, agency: str = AGENCY) -> set[str]:
                body = _ok(client.get(f"/api/v1/officer/queues/{name}", headers=officer(agency)))
                return {d["id"] for d in body["items"]}

            assert queue("to_receive") == {first}
            assert queue("in_processing") == {second}
            assert queue("due_soon") == {second}  # 1 working day: due within 2
            assert queue("overdue") == set()
            assert queue("waiting_for_citizen") == {third}
            assert queue("to_receive", "NB.STP") == set()
            _ok(
                client.post(
                    f"{act}/{second}/start-processing", headers=officer(user="can-bo-7"), json={}
                )
            )
            _eventually(
                lambda: (
                    rows(dsn, run_id, "dossier_list", "id = %s", (second,))[0]["assignee"]
                    == "can-bo-7"
                ),
                "the assignment to be projected",
            )
            for user, expected in (("can-bo-7", [second]), ("can-bo-8", [])):
                assigned = client.get(
                    "/api/v1/officer/queues/in_processing",
                    headers=officer(user=user),
                    params={"mine": "true"},
                )
                assert [d["id"] for d in _ok(assigned)["items"]] == expected
            counts = _ok(client.get("/api/v1/officer/queues", headers=officer()))["counts"]
            assert counts == {
                "to_receive": 1,
                "in_processing": 1,
                "due_soon": 1,
                "overdue": 0,
                "waiting_for_citizen": 1,
            }
            with_counts = _ok(
                client.get(
                    "/api/v1/officer/queues/to_receive",
                    headers=officer(),
                    params={"counts": "true"},
                )
            )
            assert with_counts["counts"] == counts  # the console's one call for page and tabs
            assert [d["id"] for d in with_counts["items"]] == [first]
            assert client.get("/api/v1/officer/queues/to_receive", headers=an).status_code == 403

        rebuilt = _cli(env, "projections", "rebuild", "dossier", "--schema", f"{run_id}_rebuilt")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert _snapshot(dsn, f"{run_id}_rebuilt") == _snapshot(dsn, run_id)
        again = _cli(env, "projections", "rebuild", "dossier")  # in place, from zero
        assert again.returncode == 0, again.stderr
        assert _snapshot(dsn, run_id) == _snapshot(dsn, f"{run_id}_rebuilt")

        verified = _cli(env, "audit", "verify", code)
        assert verified.returncode == 0, verified.stderr
        assert json.loads(verified.stdout)["valid"] is True
        replayed = _cli(env, "audit", "replay", code)
        assert replayed.returncode == 0, replayed.stderr
        assert json.loads(replayed.stdout)["dossier"]["status"] == "in_processing"
        before = _cli(env, "audit", "replay", code, "--at", "2000-01-01T00:00:00+07:00")
        assert json.loads(before.stdout)["dossier"] is None
        assert _cli(env, "audit", "verify", "NB.HOALU-000000-00000000X").returncode == 1
        time.sleep(0)
    finally:
        api.stop()
        worker.stop()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}_rebuilt" CASCADE')
