"""The demo seed loads Ninh Bình's catalogue once: a second run changes nothing."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from pymongo import MongoClient

from services.catalog.seed import seed_demo
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


def test_the_demo_seed_is_idempotent(engines: Engines, monkeypatch: pytest.MonkeyPatch) -> None:
    database = "catalog_seed_" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("MOTCUA_MONGO_URL", engines.mongo_url)
    monkeypatch.setenv("MOTCUA_CATALOG_MONGO_DATABASE", database)
    try:
        first = asyncio.run(seed_demo())
        assert first["procedures"] >= 40 and first["published"] == first["procedures"]
        with MongoClient(engines.mongo_url) as client:
            db = client[database]
            before = {d["_id"]: (d["seq"], len(d["_outbox"])) for d in db.procedures.find()}
            agencies = {d["_id"]: d["seq"] for d in db.agencies.find()}
        second = asyncio.run(seed_demo())
        assert second["published"] == 0
        with MongoClient(engines.mongo_url) as client:
            db = client[database]
            assert {d["_id"]: (d["seq"], len(d["_outbox"])) for d in db.procedures.find()} == before
            assert {d["_id"]: d["seq"] for d in db.agencies.find()} == agencies
            assert all(len(d["versions"]) == 1 for d in db.procedures.find())
            assert db.templates.count_documents({}) >= 30  # one .docx per level ≥ 2 form
            assert len(agencies) == 15 and agencies["NB.H.GIAVIEN"] == 1
    finally:
        with MongoClient(engines.mongo_url) as client:
            client.drop_database(database)
