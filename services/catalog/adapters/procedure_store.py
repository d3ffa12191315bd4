"""Procedures in MongoDB: one document per procedure code.

The document holds the draft, every published version (immutable snapshots),
the fields the public list and search read, and the outbox. Publishing is one
single-document update (FerretDB 1.x has no multi-document transactions):
snapshot appended, search fields replaced, event pushed, guarded by ``seq``
(the number of events so far) and the draft's revision.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.events.envelope import IntegrationEvent
from shared.mongo_outbox import OUTBOX, outbox_push

Doc = dict[str, Any]
HIDDEN = {OUTBOX: 0, "versions": 0, "history": 0, "s_keys": 0}


class ProcedureStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["procedures"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("s_keys", ASCENDING)])
        await self.collection.create_index([("listed", ASCENDING), ("s_name", ASCENDING)])
        await self.collection.create_index([("field_code", ASCENDING)])
        await self.collection.create_index([("agency_codes", ASCENDING)])

    async def get(self, code: str) -> Doc | None:
        return await self.collection.find_one({"_id": code}, HIDDEN)

    async def get_with_versions(self, code: str) -> Doc | None:
        return await self.collection.find_one({"_id": code}, {OUTBOX: 0, "s_keys": 0})

    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> None:
        """Raises DuplicateKeyError when the code is taken."""
        await self.collection.insert_one({
            "_id": code, "seq": 0, "status": "draft", "listed": False,
            "draft": draft, "draft_revision": 1, "published_revision": 0,
            "current_version": 0, "versions": [], "withdrawn_versions": [],
            "history": [history], OUTBOX: [], "created_at": now, "updated_at": now,
        })

    async def save_draft(self, code: str, revision: int, draft: Doc, history: Doc,
                         now: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": code, "draft_revision": revision},
            {"$set": {"draft": draft, "draft_revision": revision + 1, "updated_at": now},
             "$push": {"history": history}},
        )
        return result.modified_count == 1

    async def publish(self, code: str, seq: int, revision: int, snapshot: Doc,
                      listing: Doc, history: Doc, event: IntegrationEvent,
                      now: datetime) -> bool:
        update = outbox_push(event)
        update["$push"].update({"versions": snapshot, "history": history})
        update["$set"] = {
            "seq": seq + 1, "status": "published", "listed": True,
            "current_version": snapshot["version"],
            "published_revision": revision, "updated_at": now, **listing,
        }
        result = await self.collection.update_one(
            {"_id": code, "seq": seq, "draft_revision": revision}, update)
        return result.modified_count == 1

    async def withdraw(self, code: str, seq: int, version: int, history: Doc,
                       event: IntegrationEvent, now: datetime) -> bool:
        update = outbox_push(event)
        update["$push"].update({"withdrawn_versions": version, "history": history})
        update["$set"] = {"seq": seq + 1, "status": "withdrawn", "listed": False,
                          "updated_at": now}
        result = await self.collection.update_one(
            {"_id": code, "seq": seq, "status": "published"}, update)
        return result.modified_count == 1


class TemplateStore:
    """Template files, content-addressed: ``_id`` is the sha256 of the bytes (≤ 5 MB)."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["templates"]

    async def put(self, sha256: str, content: bytes, content_type: str, now: datetime) -> None:
        with suppress(DuplicateKeyError):  # the same bytes are already stored
            await self.collection.insert_one({
                "_id": sha256, "content": content, "content_type": content_type,
                "size": len(content), "created_at": now,
            })

    async def get(self, sha256: str) -> bytes | None:
        doc = await self.collection.find_one({"_id": sha256})
        return None if doc is None else bytes(doc["content"])
