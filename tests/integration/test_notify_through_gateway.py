"""The notification bell through the gateway: a logged-in citizen's live stream stays open
past the gateway's 30 s idle cut (keep-alive comments) and delivers a new notification;
the inbox and the public statistics answer through the gateway."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from services.identity.tests.integration.suite import Suite, start_suite
from services.notify.tests.integration.support import NotifyStore, Stream, created, send
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def suite(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    started = start_suite(engines, tmp_path_factory.mktemp("notify-gateway"))
    try:
        yield started
    finally:
        started.stop()
        NotifyStore(engines.postgres_dsn, f"{started.prefix}_notify").drop()


def test_a_logged_in_citizen_gets_a_live_notification_after_the_idle_cut(
    suite: Suite,
) -> None:
    email, bearer = suite.active_citizen("bell")
    user_id = suite.api.get("/api/v1/me", headers=bearer).json()["id"]
    lines: list[str] = []
    received: list[dict[str, object]] = []
    counted: list[dict[str, object]] = []

    def listen() -> None:
        for event, data in stream_of(str(suite.api.base_url), bearer, lines):
            if event == "unread":
                counted.append(data)
            elif event == "notification":
                received.append(data)
                return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(35)  # longer than the gateway's idle cut
    assert listener.is_alive(), lines
    assert ": keep-alive" in lines
    dossier = Stream("dossier")
    send(
        suite.engines.kafka_bootstrap_servers,
        f"{suite.prefix}.motcua.dossier.events",
        [created(dossier, user_id, email)],
    )
    listener.join(45)
    assert counted == [{"unread": 0}]  # the stream opens with the bell's figure
    assert received and received[0]["dossier_id"] == dossier.subject
    assert first_count(str(suite.api.base_url), bearer) == {"unread": 1}  # a new page's bell

    inbox = suite.api.get("/api/v1/notifications", headers=bearer)
    assert inbox.status_code == 200 and inbox.json()["unread"] == 1
    assert suite.api.get("/api/v1/notifications").status_code == 401
    stats = suite.api.get("/api/v1/stats")
    assert stats.status_code == 200 and stats.json()["items"] == []


def stream_of(
    base_url: str, bearer: dict[str, str], lines: list[str] | None = None
) -> Iterator[tuple[str, dict[str, object]]]:
    """The caller's live stream through the gateway: (event, data) as they come; every
    line read (keep-alive comments too) into ``lines``."""
    with httpx.stream(
        "GET",
        f"{base_url}/api/v1/notifications/stream",
        headers=bearer,
        timeout=httpx.Timeout(10, read=60),
        trust_env=False,
    ) as response:
        assert response.status_code == 200
        event = ""
        for line in response.iter_lines():
            if lines is not None:
                lines.append(line)
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                yield event, json.loads(line.split(":", 1)[1])


def first_count(base_url: str, bearer: dict[str, str]) -> object:
    """The ``unread`` event a new stream opens with."""
    for event, data in stream_of(base_url, bearer):
        if event == "unread":
            return data
    raise AssertionError("the stream ended before its unread count")
