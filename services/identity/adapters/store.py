"""The accounts, sessions and throttle collections in MongoDB (FerretDB-compatible).

Every change to an account is one ``update_one`` guarded by the version it was
read at; the events it causes are pushed into the same document's outbox in
that update and numbered from the version (see domain/accounts.py). FerretDB
applies updates non-atomically, so every write to an account document holds
that document's lock (shared/mongo_lock.py), as the outbox relay does. Sessions
and throttle counters are not part of any aggregate's history and emit no events.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.identity.domain.accounts import identity_event
from services.identity.domain.errors import EmailTakenError
from shared.events.envelope import Actor
from shared.logs import correlation_id
from shared.mongo_lock import DocumentLocks, lock_key
from shared.mongo_outbox import OUTBOX, outbox_push

Doc = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """An event to record: its type (past tense, snake_case) and data."""

    type: str
    data: dict[str, Any]


class AccountStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.accounts: AsyncCollection[Doc] = db.accounts
        self.sessions: AsyncCollection[Doc] = db.sessions
        self.throttle: AsyncCollection[Doc] = db.throttle
        self.captchas: AsyncCollection[Doc] = db.captchas_used
        self.locks = DocumentLocks(db.locks)
        self.ready = False  # indexes created (the unique email index above all)

    async def create_indexes(self) -> None:
        await self.accounts.create_index([("email_key", ASCENDING)], unique=True)
        await self.accounts.create_index([("activation.token_hash", ASCENDING)])
        await self.accounts.create_index([("reset.token_hash", ASCENDING)])
        await self.accounts.create_index([("kind", ASCENDING), ("agency_code", ASCENDING)])
        await self.sessions.create_index([("account_id", ASCENDING)])

    def _events(self, account_id: str, first: int, changes: list[Change], actor: Actor,
                now: datetime) -> dict[str, Any]:
        events = [
            identity_event(account_id, first + i, c.type, c.data, actor, now, correlation_id.get())
            for i, c in enumerate(changes)
        ]
        return outbox_push(*events)

    async def insert(self, account: Doc, changes: list[Change], actor: Actor,
                     now: datetime) -> None:
        doc = {**account, "version": len(changes)}
        events = self._events(account["_id"], 1, changes, actor, now)["$push"][OUTBOX]["$each"]
        try:
            await self.accounts.insert_one({**doc, OUTBOX: events})
        except DuplicateKeyError as error:
            raise EmailTakenError() from error

    async def update(
        self,
        account: Doc,
        changes: list[Change],
        actor: Actor,
        now: datetime,
        *,
        set_: dict[str, Any] | None = None,
        unset: list[str] | None = None,
        push: dict[str, Any] | None = None,
        guard: dict[str, Any] | None = None,
    ) -> bool:
        """Apply the change iff the account is still at the version it was read at
        (and matches ``guard``); False if someone else changed it first."""
        version = account["version"]
        update: dict[str, Any] = {"$set": {**(set_ or {}), "version": version + len(changes)}}
        if unset:
            update["$unset"] = dict.fromkeys(unset, "")
        pushes = dict(push or {})
        if changes:
            pushes.update(self._events(account["_id"], version + 1, changes, actor, now)["$push"])
        if pushes:
            update["$push"] = pushes
        async with self._locked(account["_id"]):
            result = await self.accounts.update_one(
                {"_id": account["_id"], "version": version, **(guard or {})}, update
            )
        return result.modified_count == 1

    async def set_quietly(self, account_id: str, set_: dict[str, Any],
                          guard: dict[str, Any] | None = None) -> bool:
        """A change that is bookkeeping, not history (login counters, rehash)."""
        async with self._locked(account_id):
            result = await self.accounts.update_one({"_id": account_id, **(guard or {})},
                                                    {"$set": set_})
        return result.modified_count == 1

    async def count_login_attempt(self, account_id: str, step: int = 1) -> int:
        """Atomically add ``step`` to the account's failure streak; the new count."""
        async with self._locked(account_id):
            doc = await self.accounts.find_one_and_update(
                {"_id": account_id}, {"$inc": {"login.failures": step}},
                return_document=ReturnDocument.AFTER,  # FerretDB 1.24: no projection here
            )
        return int(doc["login"]["failures"]) if doc else 1

    def _locked(self, account_id: str) -> AbstractAsyncContextManager[None]:
        return self.locks.hold(lock_key(self.accounts.name, account_id))

    async def by_id(self, account_id: str) -> Doc | None:
        return await self.accounts.find_one({"_id": account_id}, {OUTBOX: 0})

    async def by_email_key(self, email_key: str) -> Doc | None:
        return await self.accounts.find_one({"email_key": email_key}, {OUTBOX: 0})

    async def by_token(self, purpose: str, token_hash: str) -> Doc | None:
        return await self.accounts.find_one({f"{purpose}.token_hash": token_hash}, {OUTBOX: 0})

    async def staff_of(self, agency_code: str, limit: int = 1000) -> list[Doc]:
        """The officer accounts of one agency (any status), without secrets."""
        cursor = self.accounts.find(
            {"kind": "officer", "agency_code": agency_code},
            {"_id": 1, "profile.full_name": 1, "officer_roles": 1, "status": 1},
        ).limit(limit)
        return [doc async for doc in cursor]

    # client-address and per-key counters -------------------------------------------------

    async def count_in_window(self, key: str, now: datetime, window_seconds: int,
                              increment: int = 1) -> int:
        """Add ``increment`` to ``key``'s count in its current fixed window; return the count."""
        doc = await self.throttle.find_one({"_id": key})
        if doc is None or (now - doc["window_start"]).total_seconds() >= window_seconds:
            await self.throttle.update_one(
                {"_id": key}, {"$set": {"window_start": now, "count": increment}}, upsert=True
            )
            return increment
        if increment:
            await self.throttle.update_one({"_id": key}, {"$inc": {"count": increment}})
        return int(doc["count"]) + increment

    async def use_captcha(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record a solved challenge; False if it was used before. Expired records go:
        their challenges fail on expiry anyway."""
        await self.captchas.delete_many({"expires_at": {"$lt": now}})
        try:
            await self.captchas.insert_one({"_id": nonce, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        return True
