"""The search index each catalog process keeps in memory, kept fresh from MongoDB.

FerretDB 1.x with its SQLite backend evaluates filters on arrays by scanning
and decoding every document (about 1.6 ms per procedure document here, so
0.6–7 s per query over 5,000 procedures: see bench/README.md). Search
therefore runs over an in-memory inverted index (folded word prefix →
procedure codes) built from the listing fields that publishing writes into
each procedure document.

Freshness across instances: after publishing or withdrawing, the writer
appends ``{rev, code}`` to a change log in the one-document collection
``search_state`` (under that document's lock: FerretDB updates are not
atomic). Every search reads that small document; when ``rev`` moved, the
instance re-reads just the changed procedures. A process starts with a full
load, and reloads fully in the background every ``RELOAD_SECONDS`` (and
inline when the log no longer reaches back to its revision), which also
repairs a crash between a procedure's write and its log entry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.catalog.domain.relevance import Candidate
from shared.mongo_lock import DocumentLocks, lock_key

log = logging.getLogger(__name__)
STATE_ID = "procedures"
RELOAD_SECONDS = 300.0
LOG_KEEP, LOG_MAX = 200, 400
LISTING = {"listed": 1, "card": 1, "s_keys": 1, "s_keywords": 1, "s_name": 1}
Doc = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    code: str
    card: dict[str, Any]
    sort_name: str
    candidate: Candidate
    keys: frozenset[str]
    field_code: str
    service_level: int
    agency_codes: frozenset[str]

    @classmethod
    def of(cls, doc: Doc) -> Entry:
        card = doc["card"]
        return cls(
            code=doc["_id"], card=card, sort_name=doc["s_name"],
            candidate=Candidate(doc["_id"], card["name"], tuple(doc["s_keywords"])),
            keys=frozenset(doc["s_keys"]), field_code=card["field_code"],
            service_level=card["service_level"], agency_codes=frozenset(card["agency_codes"]),
        )


class SearchIndex:
    def __init__(self, db: AsyncDatabase[Doc], locks: DocumentLocks) -> None:
        self.procedures = db["procedures"]
        self.state = db["search_state"]
        self.locks = locks
        self.entries: dict[str, Entry] = {}
        self.postings: dict[str, set[str]] = {}
        self.revision: int | None = None
        self.loaded_at = 0.0
        self._lock = asyncio.Lock()
        self._reload: asyncio.Task[None] | None = None

    async def changed(self, code: str) -> None:
        """Record that ``code``'s listing changed, for every instance to pick up."""
        async with self.locks.hold(lock_key("search_state", STATE_ID)):
            state = await self.state.find_one({"_id": STATE_ID})
            if state is None:
                await self.state.insert_one({"_id": STATE_ID, "rev": 1,
                                             "log": [{"rev": 1, "code": code}]})
                return
            rev = state["rev"] + 1
            entries = [*state["log"], {"rev": rev, "code": code}]
            if len(entries) > LOG_MAX:
                entries = entries[-LOG_KEEP:]
            await self.state.update_one({"_id": STATE_ID}, {"$set": {"rev": rev, "log": entries}})

    async def fresh(self) -> None:
        state = await self.state.find_one({"_id": STATE_ID}) or {"rev": 0, "log": []}
        if self.revision is None:
            async with self._lock:
                if self.revision is None:
                    await self._full(state["rev"])
        elif state["rev"] != self.revision:
            async with self._lock:
                await self._catch_up(state)
        if time.monotonic() - self.loaded_at > RELOAD_SECONDS and (
                self._reload is None or self._reload.done()):
            self._reload = asyncio.create_task(self._background_reload())

    async def _catch_up(self, state: Doc) -> None:
        assert self.revision is not None
        if state["rev"] <= self.revision:
            return
        newer = [e for e in state["log"] if e["rev"] > self.revision]
        if not newer or newer[0]["rev"] != self.revision + 1:  # the log was trimmed past us
            await self._full(state["rev"])
            return
        for code in dict.fromkeys(e["code"] for e in newer):
            self._put(code, await self.procedures.find_one({"_id": code}, LISTING))
        self.revision = state["rev"]

    async def _background_reload(self) -> None:
        try:
            state = await self.state.find_one({"_id": STATE_ID}) or {"rev": 0}
            entries, postings = await self._scan()
            async with self._lock:
                # changes logged after ``state`` are re-read by the next catch-up
                self.entries, self.postings = entries, postings
                self.revision, self.loaded_at = state["rev"], time.monotonic()
        except Exception:
            log.exception("search index reload failed; keeping the current one")
            self.loaded_at = time.monotonic()

    async def _full(self, revision: int) -> None:
        self.entries, self.postings = await self._scan()
        self.revision, self.loaded_at = revision, time.monotonic()

    async def _scan(self) -> tuple[dict[str, Entry], dict[str, set[str]]]:
        entries: dict[str, Entry] = {}
        postings: dict[str, set[str]] = {}
        async for doc in self.procedures.find({"listed": True}, LISTING):
            entry = entries[doc["_id"]] = Entry.of(doc)
            for key in entry.keys:
                postings.setdefault(key, set()).add(entry.code)
        return entries, postings

    def _put(self, code: str, doc: Doc | None) -> None:
        old = self.entries.pop(code, None)
        if old is not None:
            for key in old.keys:
                self.postings.get(key, set()).discard(code)
        if doc is not None and doc.get("listed"):
            entry = self.entries[code] = Entry.of(doc)
            for key in entry.keys:
                self.postings.setdefault(key, set()).add(code)

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
