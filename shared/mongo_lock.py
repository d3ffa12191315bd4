"""Per-document write locks for MongoDB-protocol servers whose updates are not atomic.

FerretDB 1.x (SQLite backend) runs an update as "query the matching documents,
apply the operators in Go, write each whole document back by ``_id``"
(``internal/handler/msg_update.go`` and ``backends/sqlite/collection.go``
``UpdateAll``), and the read and the write are not one transaction. So a
filter such as ``{"_id": k, "seq": 3}`` is not a compare-and-set: two
concurrent updates of one document both report success and the last write
wins, dropping the other's changes — including ``_outbox`` entries that the
relay's ``$pullAll`` races with. Inserting a unique ``_id`` *is* atomic, so a
lock is a document in a small collection, inserted to take it and deleted to
release it, with an expiry so a crashed holder does not block forever.

Every writer of a document — use cases and the outbox relay alike — takes the
document's lock around its read-modify-write (``shared.mongo_outbox.MongoOutboxRelay``
does so around its ``$pullAll``).
Taking over an expired lock is itself not atomic (a crashed holder is rare; the
window is the takeover itself).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

Doc = dict[str, Any]


class LockTimeoutError(Exception):
    """Someone else held the document's lock for longer than we were willing to wait."""


class DocumentLocks:
    def __init__(self, collection: AsyncCollection[Doc], ttl_seconds: float = 30.0,
                 wait_seconds: float = 10.0) -> None:
        self.collection = collection
        self.ttl = timedelta(seconds=ttl_seconds)
        self.wait_seconds = wait_seconds

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_seconds
        while not await self._take(key, token):
            if time.monotonic() > deadline:
                raise LockTimeoutError(key)
            await asyncio.sleep(0.01 + random.random() * 0.04)
        try:
            yield
        finally:
            await self.collection.delete_one({"_id": key, "token": token})

    async def _take(self, key: str, token: str) -> bool:
        now = datetime.now(UTC)
        try:
            await self.collection.insert_one(
                {"_id": key, "token": token, "expires_at": now + self.ttl})
            return True
        except DuplicateKeyError:
            held = await self.collection.find_one({"_id": key})
            if held is not None and held["expires_at"] < now:  # its holder crashed
                await self.collection.delete_one({"_id": key, "token": held["token"]})
            return False


def lock_key(collection: str, doc_id: object) -> str:
    return f"{collection}/{doc_id}"
