"""Idempotent effects on the real MongoDB-protocol server (FerretDB here)."""

from __future__ import annotations

import pytest

from shared.mongo import apply_versioned, insert_once, make_client
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


async def test_insert_once_records_an_event_a_single_time(engines: Engines, run_id: str) -> None:
    client = make_client(engines.mongo_url)
    try:
        inbox = client[run_id].inbox
        assert await insert_once(inbox, {"_id": "event-1", "title": "Hồ sơ đã tiếp nhận"})
        assert not await insert_once(inbox, {"_id": "event-1", "title": "lần hai"})
        assert await inbox.count_documents({}) == 1
        assert (await inbox.find_one({"_id": "event-1"}))["title"] == "Hồ sơ đã tiếp nhận"
    finally:
        await client.drop_database(run_id)
        await client.close()


async def test_versioned_updates_ignore_old_and_repeated_events(
    engines: Engines, run_id: str
) -> None:
    client = make_client(engines.mongo_url)
    try:
        view = client[run_id].dossiers
        assert await apply_versioned(view, "d1", 1, {"status": "draft"})
        assert await apply_versioned(view, "d1", 3, {"status": "accepted"})
        assert not await apply_versioned(view, "d1", 2, {"status": "submitted"})
        assert not await apply_versioned(view, "d1", 3, {"status": "accepted"})
        document = await view.find_one({"_id": "d1"})
        assert document == {"_id": "d1", "status": "accepted", "version": 3}
    finally:
        await client.drop_database(run_id)
        await client.close()
