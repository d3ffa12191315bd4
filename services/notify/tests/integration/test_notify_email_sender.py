"""The email sender works beside the agents, not inside them.

- SMTP unreachable: every in-app entry still arrives at once; the emails wait
  (``pending``, the last SMTP answer in ``email_error``) and go out by themselves, once
  each, when the server is back within the retries.
- notify SIGKILLed after the SMTP server stored a message but before its 250 reached the
  sender: after the restart that email is sent again with the same Message-ID
  (at-least-once), every other email once, and every row ends ``sent``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.notify.tests.integration.support import (
    Stream,
    created,
    later,
    notify_env,
    notify_store,
    send,
    start_notify,
    wait_for,
)
from shared.events.envelope import IntegrationEvent
from tests.support.engines import Engines
from tests.support.mail import messages_to
from tests.support.processes import ROOT, free_port, wait_for_port

pytestmark = pytest.mark.integration
CONCURRENCY = 4


def _sink(port: int, maildir: Path, reply_delay: float = 0.0) -> subprocess.Popen[bytes]:
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
            "--reply-delay",
            str(reply_delay),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port)
    return sink


def _dossiers(run_id: str, count: int) -> tuple[list[IntegrationEvent], list[tuple[str, str]]]:
    events, filed = [], []
    for index in range(count):
        stream = Stream("dossier")
        email = f"{run_id}-{index}@example.vn"
        events += [
            created(stream, f"{run_id}-owner-{index}", email),
            stream.next("submitted", {"code": f"HL-S{index:02d}", "at": later()}),
        ]
        filed.append((stream.subject, email))
    return events, filed


def _message_id(subject: str) -> str:
    return f"<{IntegrationEvent.stable_id(subject, 2)}.email@motcua.local>"


def test_in_app_entries_do_not_wait_for_an_unreachable_smtp_server(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    port, maildir, count = free_port(), tmp_path / "mail", 20
    env = notify_env(
        engines, run_id, tmp_path, MOTCUA_SMTP_PORT=str(port), MOTCUA_NOTIFY_SMTP_ATTEMPTS="8"
    )  # 0.2 s doubling: 25 s of retries
    notify = start_notify(env, tmp_path)
    db = notify_store(engines, run_id)
    sink: subprocess.Popen[bytes] | None = None
    try:
        events, filed = _dossiers(run_id, count)
        started = time.monotonic()
        send(engines.kafka_bootstrap_servers, f"{run_id}.motcua.dossier.events", events)
        wait_for(lambda: db.count("notifications") == 2 * count, 30, "the in-app entries")
        assert time.monotonic() - started < 10  # not 20 × the SMTP retries
        wait_for(
            lambda: (
                db.query(
                    "SELECT count(*) AS n FROM notifications WHERE email_error LIKE 'SMTP:%%'"
                )[0]["n"]
                == count
            ),
            30,
            "every email to have failed an attempt",
        )
        waiting = db.find("notifications", event_type="vn.motcua.dossier.submitted")
        assert {e["email_status"] for e in waiting} == {"pending"}
        assert all(e["email_to"] for e in waiting)

        sink = _sink(port, maildir)
        wait_for(
            lambda: db.count("notifications", email_status="sent") == count,
            60,
            "the emails once the server is back",
        )
        time.sleep(1)  # a duplicate still in flight would show up
        for subject, email in filed:
            [mail] = messages_to(maildir, email)
            assert mail["Message-ID"] == _message_id(subject)
        assert db.count("notifications", email_status="failed") == 0
    finally:
        notify.stop()
        db.drop()
        if sink is not None:
            sink.terminate()
            sink.wait(10)


def test_a_crash_between_the_servers_acceptance_and_the_mark_resends_the_same_message(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    port, maildir, count = free_port(), tmp_path / "mail", 10
    sink = _sink(port, maildir, reply_delay=2.0)  # each message stored 2 s before its 250
    env = notify_env(
        engines,
        run_id,
        tmp_path,
        MOTCUA_SMTP_PORT=str(port),
        MOTCUA_NOTIFY_EMAIL_LEASE_SECONDS="5",
        MOTCUA_NOTIFY_EMAIL_CONCURRENCY=str(CONCURRENCY),
    )
    notify = start_notify(env, tmp_path)
    db = notify_store(engines, run_id)
    try:
        events, filed = _dossiers(run_id, count)
        send(engines.kafka_bootstrap_servers, f"{run_id}.motcua.dossier.events", events)
        deadline = time.monotonic() + 60
        while not list(maildir.glob("*.eml")):  # stored, its 250 not answered yet
            assert time.monotonic() < deadline, "no email reached the server"
            time.sleep(0.01)
        notify.kill()
        stored = {m["Message-ID"] for _, email in filed for m in messages_to(maildir, email)}
        unmarked = {
            f"<{e['id']}.email@motcua.local>"
            for e in db.find("notifications", email_status="pending")
        }
        assert stored and stored <= unmarked  # the server has them, the store not as sent

        notify.start(90)
        wait_for(
            lambda: db.count("notifications", email_status="sent") == count,
            120,
            "every email after the restart",
        )
        time.sleep(3)  # a duplicate still in flight would show up
        deliveries = 0
        for subject, email in filed:
            received = messages_to(maildir, email)
            assert {m["Message-ID"] for m in received} == {_message_id(subject)}
            deliveries += len(received)
            if _message_id(subject) in stored:  # accepted before the kill, never marked
                assert len(received) == 2
        assert count < deliveries <= count + CONCURRENCY
        assert db.count("notifications") == 2 * count
    finally:
        notify.stop()
        db.drop()
        sink.terminate()
        sink.wait(10)
