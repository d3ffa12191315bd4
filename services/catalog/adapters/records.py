"""Agencies, fields and calendar overrides: small documents saved whole, each change one
single-document write carrying its event in the outbox, guarded by ``seq``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.events.envelope import IntegrationEvent
from shared.mongo_outbox import OUTBOX, outbox_push

Doc = dict[str, Any]


class RecordStore:
    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self.collection = collection

    async def get(self, key: str) -> Doc | None:
        return await self.collection.find_one({"_id": key}, {OUTBOX: 0})

    async def list(self, query: Doc, sort: str = "_id") -> list[Doc]:
        cursor = self.collection.find(query, {OUTBOX: 0}).sort(sort, ASCENDING)
        return await cursor.to_list()

    async def save(self, key: str, seq: int, fields: Doc, event: IntegrationEvent,
                   now: datetime) -> bool:
        """Write ``fields`` as change number ``seq + 1``; False if someone else wrote first."""
        if seq == 0:
            try:
                await self.collection.insert_one({
                    "_id": key, **fields, "seq": 1, "updated_at": now,
                    OUTBOX: [{"id": str(event.id), "event": event.model_dump_json()}],
                })
            except DuplicateKeyError:
                return False
            return True
        update = outbox_push(event)
        update["$set"] = {**fields, "seq": seq + 1, "updated_at": now}
        result = await self.collection.update_one({"_id": key, "seq": seq}, update)
        return result.modified_count == 1
