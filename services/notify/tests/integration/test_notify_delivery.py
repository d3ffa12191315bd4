"""SMTP outage: the in-app entry is there at once; the email, after its retries, is kept
``failed`` with the server's answer (the event itself was handled, so it is no longer
parked in the DLQ) and `motcua notify retry-emails` delivers it once the server is back
(delayed, not lost); a poison message is parked in the DLQ and the stream goes on."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.notify.tests.integration.support import (
    Stream,
    account,
    created,
    later,
    notify_env,
    notify_store,
    publish_raw,
    records,
    send,
    start_notify,
    wait_for,
)
from tests.support.engines import Engines
from tests.support.mail import messages_to
from tests.support.processes import ROOT, free_port, wait_for_port

pytestmark = pytest.mark.integration


def _dlq_reasons(bootstrap: str, topic: str) -> list[str]:
    found = asyncio.run(records(bootstrap, f"{topic}.dlq"))
    return [dict(r.headers)["dlq-reason"].decode() for r in found]


def _motcua(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The launcher from this tree (``-m``: the worktree's code, not an installed copy)."""
    return subprocess.run(
        [sys.executable, "-m", "motcua_ops.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_smtp_outage_delays_the_email_and_poison_goes_to_the_dlq(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    port, maildir = free_port(), tmp_path / "mail"
    env = notify_env(
        engines, run_id, tmp_path, MOTCUA_SMTP_PORT=str(port), MOTCUA_NOTIFY_SMTP_ATTEMPTS="3"
    )
    notify = start_notify(env, tmp_path)
    sink: subprocess.Popen[bytes] | None = None
    db = notify_store(engines, run_id)
    topic = f"{run_id}.motcua.dossier.events"
    owner, email = f"{run_id}-owner", f"{run_id}@example.vn"
    try:
        send(bootstrap, f"{run_id}.motcua.identity.events", [account(owner, email, "Lê Văn An")])
        wait_for(lambda: db.count("accounts") == 1, 60, "the account projection")
        dossier = Stream("dossier")
        send(bootstrap, topic, [created(dossier, owner, email)])
        asyncio.run(publish_raw(bootstrap, topic, dossier.subject.encode(), b"{not json"))
        send(bootstrap, topic, [dossier.next("submitted", {"code": "HL-OUTAGE", "at": later()})])

        wait_for(
            lambda: db.count("notifications", email_status="failed") == 1,
            90,
            "the email to fail after its retries",
        )
        entry = db.find_one("notifications", kind="dossier_submitted")
        assert entry is not None and entry["email_status"] == "failed"  # in-app is there
        assert entry["email_attempts"] == 3
        assert entry["email_error"].startswith("SMTP: ")  # the server's answer, kept
        [poison] = _dlq_reasons(bootstrap, topic)  # only the poison: the event was handled
        assert poison.startswith("invalid envelope")

        # The stream went on past both: a later dossier's in-app entry arrives.
        later_dossier = Stream("dossier", dossier.subject + "-2")
        send(bootstrap, topic, [created(later_dossier, owner, email)])
        wait_for(
            lambda: db.count("notifications", subject=later_dossier.subject),
            60,
            "the next event after the parked ones",
        )

        sink = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "motcua_ops.smtp_sink",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--maildir",
                str(maildir),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port("127.0.0.1", port)
        retry = _motcua("notify", "retry-emails", env=env)
        assert retry.returncode == 0, retry.stderr
        assert "1 email(s) queued again" in retry.stdout
        replay = _motcua("dlq", "replay", topic, env=env)
        assert replay.returncode == 0, replay.stderr
        assert "1 message(s) replayed" in replay.stdout

        wait_for(lambda: messages_to(maildir, email), 60, "the delayed email")
        wait_for(
            lambda: len(_dlq_reasons(bootstrap, topic)) == 2,
            60,
            "the poison message to be parked again",
        )
        [mail] = messages_to(maildir, email)
        assert "HL-OUTAGE" in mail["Subject"]
        assert mail["Message-ID"] == f"<{entry['id']}.email@motcua.local>"
        wait_for(
            lambda: (
                (db.find_one("notifications", id=entry["id"]) or {}).get("email_status") == "sent"
            ),
            30,
            "the email marked sent",
        )
        # A second retry finds nothing failed: the email is not sent twice.
        again = _motcua("notify", "retry-emails", env=env)
        assert "0 email(s) queued again" in again.stdout
        # A second replay replays only what was parked since: the poison again.
        replayed = _motcua("dlq", "replay", topic, env=env)
        assert "1 message(s) replayed" in replayed.stdout
        wait_for(lambda: len(_dlq_reasons(bootstrap, topic)) == 3, 60, "poison parked again")
        time.sleep(3)
        assert len(messages_to(maildir, email)) == 1
    finally:
        notify.stop()
        db.drop()
        if sink is not None:
            sink.terminate()
            sink.wait(10)
