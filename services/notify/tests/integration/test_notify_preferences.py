"""Email preferences per kind: off means in-app only; unknown kinds are refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.notify.tests.integration.support import (
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
from tests.support.engines import Engines
from tests.support.mail import messages_to

pytestmark = pytest.mark.integration


def test_email_off_for_a_kind_keeps_the_inbox_entry_and_sends_no_email(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    owner, email = f"{run_id}-owner", f"{run_id}@example.vn"
    notify = start_notify(notify_env(engines, run_id, tmp_path), tmp_path)
    db = notify_store(engines, run_id)
    try:
        with httpx.Client(base_url=notify.url, timeout=10) as api:
            defaults = api.get("/api/v1/notifications/preferences", headers=headers(owner))
            assert defaults.json()["email"]["dossier_accepted"] is True
            refused = api.put(
                "/api/v1/notifications/preferences",
                headers=headers(owner),
                json={"email": {"khong_ton_tai": False}},
            )
            assert refused.status_code == 422
            assert refused.headers["content-type"] == "application/problem+json"
            assert "Loại thông báo không tồn tại" in refused.json()["detail"]
            assert db.count("preferences") == 0  # nothing half-written
            saved = api.put(
                "/api/v1/notifications/preferences",
                headers=headers(owner),
                json={"email": {"dossier_accepted": False}},
            )
            assert saved.status_code == 200 and saved.json()["email"]["dossier_accepted"] is False
            assert (
                api.put("/api/v1/notifications/preferences", json={"email": {}}).status_code == 401
            )

        send(bootstrap, f"{run_id}.motcua.identity.events", [account(owner, email, "Vũ Lan")])
        wait_for(lambda: db.count("accounts") == 1, 60, "the account")
        dossier = Stream("dossier")
        send(
            bootstrap,
            f"{run_id}.motcua.dossier.events",
            [
                created(dossier, owner, email),
                dossier.next("submitted", {"code": "HL-PREF", "at": later()}),
                dossier.next("accepted", {"at": later(), "appointment_at": later(days=20)}),
                dossier.next("rejected", {"reason": "Hồ sơ giả mạo", "at": later()}),
            ],
        )
        wait_for(
            lambda: db.count("notifications", kind="dossier_rejected", email_status="sent"),
            60,
            "the rejection email",
        )
        subjects = [str(m["Subject"]) for m in messages_to(engines.maildir, email)]
        assert len(subjects) == 2 and not any("tiếp nhận" in s and "đã được" in s for s in subjects)
        accepted = db.find_one("notifications", kind="dossier_accepted")
        assert accepted is not None and accepted["email_status"] == "disabled"
    finally:
        notify.stop()
        db.drop()
