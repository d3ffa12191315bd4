"""The search index each catalog process keeps in memory, rebuilt from MongoDB.

FerretDB 1.x with its SQLite backend evaluates filters on arrays by scanning
and decoding every document (about 1.6 ms per procedure document here, so
8 s per query over 5,000 procedures: see bench/README.md). Search therefore
runs over an in-memory inverted index (folded word prefix → procedure codes)
built from the listing fields that publishing writes into each procedure
document. Freshness across instances: publishing and withdrawing bump a
counter in a one-document collection (``search_state``); every search reads
it (a millisecond) and reloads when it moved. The counter is bumped after the
procedure's own write, so a crash in between leaves the index stale until the
next bump or the periodic reload (every ``RELOAD_SECONDS``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.catalog.domain.relevance import Candidate

STATE_ID = "procedures"
RELOAD_SECONDS = 300.0


@dataclass(frozen=True)
class Entry:
    code: str
    card: dict[str, Any]
    sort_name: str
    candidate: Candidate
    field_code: str
    service_level: int
    agency_codes: frozenset[str]


class SearchIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.procedures = db["procedures"]
        self.state = db["search_state"]
        self.entries: dict[str, Entry] = {}
        self.postings: dict[str, set[str]] = {}
        self.revision: int | None = None
        self.loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def changed(self) -> None:
        """Tell every instance that the listed procedures changed."""
        await self.state.update_one({"_id": STATE_ID}, {"$inc": {"rev": 1}}, upsert=True)

    async def fresh(self) -> None:
        revision = await self._revision()
        if revision == self.revision and time.monotonic() - self.loaded_at < RELOAD_SECONDS:
            return
        async with self._lock:
            if revision == self.revision and time.monotonic() - self.loaded_at < RELOAD_SECONDS:
                return
            await self._load()
            self.revision, self.loaded_at = revision, time.monotonic()

    async def _revision(self) -> int:
        doc = await self.state.find_one({"_id": STATE_ID})
        return int(doc["rev"]) if doc else 0

    async def _load(self) -> None:
        cursor = self.procedures.find(
            {"listed": True}, {"card": 1, "s_keys": 1, "s_keywords": 1, "s_name": 1})
        entries: dict[str, Entry] = {}
        postings: dict[str, set[str]] = {}
        async for doc in cursor:
            card = doc["card"]
            entries[doc["_id"]] = Entry(
                code=doc["_id"], card=card, sort_name=doc["s_name"],
                candidate=Candidate(doc["_id"], card["name"], tuple(doc["s_keywords"])),
                field_code=card["field_code"],
                service_level=card["service_level"], agency_codes=frozenset(card["agency_codes"]),
            )
            for key in doc["s_keys"]:
                postings.setdefault(key, set()).add(doc["_id"])
        self.entries, self.postings = entries, postings  # swapped whole: readers never see half

    def select(self, terms: list[str], agency: str | None, field: str | None,
               level: int | None) -> list[Entry]:
        """Entries whose indexed words start with every term, filtered."""
        if terms:
            sets = sorted((self.postings.get(t, set()) for t in terms), key=len)
            codes = set.intersection(*sets) if sets[0] else set()
            found = [self.entries[c] for c in codes]
        else:
            found = list(self.entries.values())
        return [e for e in found
                if (agency is None or agency in e.agency_codes)
                and (field is None or e.field_code == field)
                and (level is None or e.service_level == level)]
