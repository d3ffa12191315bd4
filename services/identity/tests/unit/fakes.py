"""In-memory fakes of identity's store, for use-case tests without MongoDB."""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime
from typing import Any

from services.identity.adapters.store import Change
from shared.events.envelope import Actor


class FakeCollection:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def insert_one(self, doc: dict[str, Any]) -> None:
        self.docs[doc["_id"]] = copy.deepcopy(doc)

    async def delete_many(self, query: dict[str, Any]) -> None:
        limit = query["expires_at"]["$lt"]
        self.docs = {k: d for k, d in self.docs.items()
                     if not (d["account_id"] == query["account_id"] and d["expires_at"] < limit)}

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        doc = self.docs.get(query["_id"])
        return copy.deepcopy(doc) if doc else None


class FakeStore:
    """The subset of AccountStore the session use cases call."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.events: list[Change] = []
        self.sessions = FakeCollection()
        self.counters: dict[str, int] = {}

    async def insert(self, account: dict[str, Any], changes: list[Change], actor: Actor,
                     now: datetime) -> None:
        self.accounts[account["_id"]] = {**copy.deepcopy(account), "version": len(changes)}
        self.events += changes

    async def by_email_key(self, key: str) -> dict[str, Any] | None:
        found = [copy.deepcopy(a) for a in self.accounts.values() if a["email_key"] == key]
        await asyncio.sleep(0)  # let concurrent callers read before anyone writes
        return found[0] if found else None

    async def by_id(self, account_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.accounts.get(account_id))

    async def set_quietly(self, account_id: str, set_: dict[str, Any],
                          guard: dict[str, Any] | None = None) -> bool:
        account = self.accounts[account_id]
        if any(account.get(k) != v for k, v in (guard or {}).items()):
            return False
        for path, value in copy.deepcopy(set_).items():
            target = account
            *parents, leaf = path.split(".")
            for name in parents:
                target = target.setdefault(name, {})
            target[leaf] = value
        return True

    async def count_login_attempt(self, account_id: str, step: int = 1) -> int:
        login = self.accounts[account_id].setdefault("login", {})
        login["failures"] = login.get("failures", 0) + step
        return int(login["failures"])

    async def count_in_window(self, key: str, now: datetime, window_seconds: int,
                              increment: int = 1) -> int:
        self.counters[key] = self.counters.get(key, 0) + increment
        return self.counters[key]
