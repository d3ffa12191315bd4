"""Sliding-window request counters shared by every gateway instance, in MongoDB.

A counted request *claims a slot*: it inserts the document ``<key>|<window>|<n>``.
Inserting a unique ``_id`` is atomic on MongoDB and on FerretDB 1.x alike (an ``$inc``
is not on FerretDB, which reads and rewrites the document: 50 concurrent increments
were measured to count 16), so however many instances race, slot n is taken once and
a request is let through only if it claimed a slot ≤ the limit. A per-window hint
document (``$max`` of the slots claimed) tells where to start, so a request usually
needs one read and one insert. Old windows are deleted by whichever instance first
sees a new window (FerretDB 1.x has no TTL indexes).

The window slides: the previous window's count, weighted by how much of it still
overlaps the last ``window_seconds``, takes slots from the current one (the
"sliding window counter" approximation). A burst at the end of one window and
another at the start of the next therefore no longer pass twice the limit. The
previous count is read from its hint, which may lag the slots actually claimed by
up to ``HINT_EVERY - 1`` (the hint is exact at the limit).

If MongoDB does not answer, requests are let through (and logged) for a while rather
than the whole entry point failing with it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

log = logging.getLogger(__name__)

HINT_EVERY = 4  # slots between two hint updates: the most a request walks past the hint
FAIL_OPEN_SECONDS = 10.0


class MongoWindowCounter:
    def __init__(self, collection: AsyncCollection[dict[str, Any]], window_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.slots = collection
        self.window_seconds = window_seconds
        self.clock = clock
        self._pruned_window = -1
        self._open_until = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    async def hit(self, key: str, limit: int) -> float | None:
        now = self.clock()
        if now < self._open_until:
            return None
        window = int(now // self.window_seconds)
        retry_after = (window + 1) * self.window_seconds - now
        overlap = 1 - (now / self.window_seconds - window)  # of the previous window
        try:
            self._prune(window)
            previous = await self._count(f"{key}|{window - 1}")
            allowed = limit - math.floor(previous * overlap)
            return None if await self._claim(key, window, allowed) else retry_after
        except PyMongoError as error:
            self._open_until = now + FAIL_OPEN_SECONDS
            log.warning("rate-limit counters unavailable, not limiting for %.0fs: %r",
                        FAIL_OPEN_SECONDS, error)
            return None

    async def _count(self, base: str) -> int:
        hint = await self.slots.find_one({"_id": f"{base}|hint"}, {"n": 1})
        return int(hint["n"]) if hint else 0

    async def _claim(self, key: str, window: int, limit: int) -> bool:
        base = f"{key}|{window}"
        slot = await self._count(base) + 1
        while slot <= limit:
            try:
                await self.slots.insert_one({"_id": f"{base}|{slot}", "w": window})
            except DuplicateKeyError:
                slot += 1
                continue
            if slot % HINT_EVERY == 0 or slot == limit:
                await self._raise_hint(base, window, slot)
            return True
        return False

    async def _raise_hint(self, base: str, window: int, slot: int) -> None:
        with suppress(DuplicateKeyError):  # two instances created it at once: one will do
            await self.slots.update_one({"_id": f"{base}|hint"},
                                        {"$max": {"n": slot}, "$set": {"w": window}},
                                        upsert=True)

    def _prune(self, window: int) -> None:
        if window == self._pruned_window:
            return
        self._pruned_window = window
        task = asyncio.get_running_loop().create_task(self._delete_before(window))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _delete_before(self, window: int) -> None:
        try:
            await self.slots.delete_many({"w": {"$lt": window - 1}})  # the last one weighs
        except PyMongoError as error:
            log.warning("could not prune old rate-limit windows: %r", error)


def mongo_counter(url: str, database: str, window_seconds: int
                  ) -> tuple[MongoWindowCounter, AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000, socketTimeoutMS=2000)
    return MongoWindowCounter(client[database]["rate_limit_slots"], window_seconds), client
