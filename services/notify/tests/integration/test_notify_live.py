"""Live push over SSE, and deadline reminders from the faust table and timer."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.notify.tests.integration.support import (
    AGENCY,
    Stream,
    account,
    created,
    headers,
    later,
    notify_env,
    notify_store,
    send,
    start_notify,
    wait_for,
)
from shared.events.envelope import IntegrationEvent
from shared.vn.time import VN_TZ
from shared.workdays import WorkCalendar
from tests.support.engines import Engines
from tests.support.mail import messages_to

pytestmark = pytest.mark.integration


def test_the_stream_delivers_a_new_notification_to_a_connected_client(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    owner = f"{run_id}-owner"
    notify = start_notify(notify_env(engines, run_id, tmp_path), tmp_path)
    received: list[dict[str, object]] = []
    connected = threading.Event()

    def listen() -> None:
        with httpx.stream(
            "GET", f"{notify.url}/api/v1/notifications/stream", headers=headers(owner), timeout=60
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            event = ""
            for line in response.iter_lines():
                connected.set()
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "notification":
                    received.append(json.loads(line.split(":", 1)[1]))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    try:
        listener.start()
        assert connected.wait(20)
        dossier = Stream("dossier")
        send(
            engines.kafka_bootstrap_servers,
            f"{run_id}.motcua.dossier.events",
            [created(dossier, owner, f"{run_id}@example.vn")],
        )
        listener.join(45)
        assert received and received[0]["title"] == "Đã tạo hồ sơ nháp."
        assert received[0]["dossier_id"] == dossier.subject and received[0]["read"] is False
        # Missed while disconnected: a reconnection with Last-Event-ID gets it.
        missed = Stream("dossier")
        send(
            engines.kafka_bootstrap_servers,
            f"{run_id}.motcua.dossier.events",
            [created(missed, owner, f"{run_id}@example.vn")],
        )
        wait_for(
            lambda: (
                httpx.get(
                    f"{notify.url}/api/v1/notifications", headers=headers(owner), timeout=5
                ).json()["unread"]
                == 2
            ),
            30,
            "the missed one",
        )
        time.sleep(1.5)
        with httpx.stream(
            "GET",
            f"{notify.url}/api/v1/notifications/stream",
            timeout=30,
            headers={**headers(owner), "Last-Event-ID": str(received[0]["id"])},
        ) as response:
            ids = []
            for line in response.iter_lines():
                if line.startswith("id: "):
                    ids.append(line[4:])
                    break
        assert ids == [str(IntegrationEvent.stable_id(missed.subject, 1))]
        unauthenticated = httpx.get(f"{notify.url}/api/v1/notifications/stream", timeout=5)
        assert unauthenticated.status_code == 401
    finally:
        notify.stop()
        notify_store(engines, run_id).drop()


def test_deadline_reminders_for_officers_and_the_overdue_citizen(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    owner, officer = f"{run_id}-owner", f"{run_id}-officer"
    owner_email, officer_email = f"{run_id}-cd@example.vn", f"{run_id}-cb@example.vn"
    notify = start_notify(notify_env(engines, run_id, tmp_path), tmp_path)
    db = notify_store(engines, run_id)
    try:
        send(
            bootstrap,
            f"{run_id}.motcua.identity.events",
            [
                account(owner, owner_email, "Phạm Thu"),
                account(officer, officer_email, "Đỗ Minh", "officer", AGENCY),
            ],
        )
        wait_for(lambda: db.count("accounts") == 2, 60, "the accounts")
        soon, late, far = Stream("dossier"), Stream("dossier"), Stream("dossier")
        events = []
        for stream, code, appointment in (
            (soon, "HL-SOON", later(hours=1)),
            (late, "HL-LATE", later(hours=-1)),
            (far, "HL-FAR", later(days=30)),
        ):
            events += [
                created(stream, owner, owner_email),
                stream.next("submitted", {"code": code, "at": later()}),
                stream.next("accepted", {"at": later(), "appointment_at": appointment}),
            ]
        send(bootstrap, f"{run_id}.motcua.dossier.events", events)

        def subjects(address: str) -> list[str]:
            return sorted(
                str(m["Subject"])
                for m in messages_to(engines.maildir, address)
                if "hạn" in str(m["Subject"]) or "chậm" in str(m["Subject"])
            )

        wait_for(
            lambda: len(subjects(officer_email)) == 2 and subjects(owner_email), 60, "the reminders"
        )
        assert subjects(officer_email) == [
            "[Một Cửa] Hồ sơ HL-LATE đã quá hạn",
            "[Một Cửa] Hồ sơ HL-SOON sắp đến hạn trả kết quả",
        ]
        assert subjects(owner_email) == ["[Một Cửa] Hồ sơ HL-LATE chậm trả kết quả"]
        # The timer ticks every 2 s: later ticks send nothing again.
        time.sleep(6)
        assert len(subjects(officer_email)) == 2 and len(subjects(owner_email)) == 1
        kinds = {e["kind"] for e in db.find("notifications", user_id=officer)}
        assert {"deadline_approaching", "deadline_overdue"} <= kinds
    finally:
        notify.stop()
        notify_store(engines, run_id).drop()


def test_a_day_off_from_the_catalog_brings_the_reminder_forward(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    owner, officer = f"{run_id}-owner", f"{run_id}-officer"
    officer_email = f"{run_id}-cb@example.vn"
    notify = start_notify(notify_env(engines, run_id, tmp_path), tmp_path)
    db = notify_store(engines, run_id)
    try:
        send(
            bootstrap,
            f"{run_id}.motcua.identity.events",
            [account(officer, officer_email, "Đỗ Minh", "officer", AGENCY)],
        )
        wait_for(lambda: db.count("accounts") == 1, 60, "the account")
        now = datetime.now(UTC)
        base = WorkCalendar()
        appointment = base.add_working_days(now + timedelta(minutes=5), 3)  # 3 working days
        dossier = Stream("dossier")
        send(
            bootstrap,
            f"{run_id}.motcua.dossier.events",
            [
                created(dossier, owner, f"{run_id}@example.vn"),
                dossier.next("submitted", {"code": "HL-CAL", "at": later()}),
                dossier.next(
                    "accepted", {"at": later(), "appointment_at": appointment.isoformat()}
                ),
            ],
        )
        wait_for(
            lambda: db.count("notifications", kind="dossier_new"), 60, "the dossier to be followed"
        )
        time.sleep(5)  # two reminder ticks: 3 working days ahead is not yet "approaching"
        assert db.count("notifications", kind="deadline_approaching") == 0

        day = now.astimezone(VN_TZ).date() + timedelta(days=1)
        while not base.is_working_day(day):
            day += timedelta(days=1)
        calendar = Stream("catalog", f"calendar-{day.year}")
        send(
            bootstrap,
            f"{run_id}.motcua.catalog.events",
            [
                calendar.next(
                    "calendar_updated",
                    {
                        "year": day.year,
                        "days_off": [day.isoformat()],
                        "working_days": [],
                        "reason": "Nghỉ bù",
                    },
                )
            ],
        )
        wait_for(
            lambda: any(
                "HL-CAL sắp đến hạn" in str(m["Subject"])
                for m in messages_to(engines.maildir, officer_email)
            ),
            60,
            "the reminder brought forward by the day off",
        )
    finally:
        notify.stop()
        notify_store(engines, run_id).drop()
