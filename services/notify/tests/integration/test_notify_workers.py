"""Two notify processes at once split the partitions and still send each email once."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from services.notify.settings import NotifySettings
from services.notify.tests.integration.support import (
    Stream,
    caught_up,
    created,
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
DOSSIERS = 12


async def _stable_members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [description] = await admin.describe_consumer_groups([group])
        groups = description.groups if hasattr(description, "groups") else description
        _error, _id, state, _protocol_type, _protocol, members, *_ = groups[0]
        return len(members) if state == "Stable" else 0
    finally:
        await admin.close()


def _handled(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return sum(
        float(v)
        for v in re.findall(
            r'^motcua_notify_events_total\{type="vn\.motcua\.dossier\.[a-z_]+"\} ([0-9.]+)$',
            text,
            re.MULTILINE,
        )
    )


def _lags(url: str, group: str, topic: str) -> dict[str, str]:
    """{partition: lag} of ``group`` on ``topic`` from one process's /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return dict(
        re.findall(
            rf'^motcua_consumer_lag\{{group="{group}",partition="(\d+)",'
            rf'topic="{re.escape(topic)}"\}} ([0-9.]+)$',
            text,
            re.MULTILINE,
        )
    )


def test_two_workers_split_the_partitions_and_send_each_email_once(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    env = notify_env(engines, run_id, tmp_path)
    first = start_notify(env, tmp_path, "first")
    second = None
    try:
        second = start_notify(env, tmp_path, "second")
        wait_for(
            lambda: asyncio.run(_stable_members(bootstrap, run_id)) == 2,
            90,
            "both workers in the consumer group",
        )
        time.sleep(3)  # let the assignment settle
        filed = []
        events = []
        for index in range(DOSSIERS):
            stream = Stream("dossier")
            email = f"{run_id}-{index}@example.vn"
            code = f"HL-{run_id[-5:]}-{index:02d}"
            events += [
                created(stream, f"{run_id}-owner-{index}", email),
                stream.next("submitted", {"code": code, "at": later()}),
            ]
            filed.append((stream.subject, code, email))
        send(bootstrap, f"{run_id}.motcua.dossier.events", events)
        wait_for(
            lambda: all(messages_to(engines.maildir, e) for _, _, e in filed), 90, "every email"
        )
        wait_for(lambda: caught_up(bootstrap, run_id, ("dossier",)), 60, "both to commit")
        topic = f"{run_id}.motcua.dossier.events"

        def no_lag() -> bool:  # each worker reports the partitions it holds
            lags = {**_lags(first.url, run_id, topic), **_lags(second.url, run_id, topic)}
            partitions = NotifySettings().topic_partitions
            return len(lags) == partitions and all(float(v) == 0 for v in lags.values())

        wait_for(no_lag, 30, "lag 0 on every partition on the workers' /metrics")
        time.sleep(2)

        assert notify_store(engines, run_id).count("notifications") == 2 * DOSSIERS
        for _, code, email in filed:
            [mail] = messages_to(engines.maildir, email)
            assert code in mail["Subject"]
        one, two = _handled(first.url), _handled(second.url)
        assert one > 0 and two > 0, (one, two)  # each worker handled its own partitions
        assert one + two >= 2 * DOSSIERS  # a rebalance may hand an event over twice
    finally:
        first.stop()
        if second is not None:
            second.stop()
        notify_store(engines, run_id).drop()
