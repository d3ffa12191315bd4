"""In-memory fakes of identity's store (adapters/store.py), for use-case tests without
PostgreSQL: the same methods, the same answers."""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime
from typing import Any

from services.identity.adapters.store import Change
from shared.events.envelope import Actor


class FakeStore:
    """The subset of AccountStore the session use cases call."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.events: list[Change] = []
        self.sessions: dict[str, dict[str, Any]] = {}
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

    async def open_session(self, session: dict[str, Any], now: datetime) -> None:
        self.sessions = {k: v for k, v in self.sessions.items()
                         if not (v["account_id"] == session["account_id"]
                                 and v["expires_at"] < now)}
        self.sessions[session["id"]] = {**copy.deepcopy(session), "previous_hashes": [],
                                        "rotated_at": None, "revoked_at": None}

    async def session(self, session_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.sessions.get(session_id))

    async def rotate_session(self, session_id: str, presented: str, new_hash: str,
                             now: datetime) -> bool:
        session = self.sessions.get(session_id)
        if session is None or session["token_hash"] != presented or session["revoked_at"]:
            return False
        session["previous_hashes"].append(presented)
        session.update(token_hash=new_hash, rotated_at=now)
        return True

    async def revoke_sessions(self, now: datetime, *, account_id: str | None = None,
                              session_id: str | None = None, keep: str | None = None) -> int:
        ended = [s for s in self.sessions.values()
                 if (s["id"] == session_id or s["account_id"] == account_id)
                 and s["id"] != keep and s["revoked_at"] is None]
        for session in ended:
            session["revoked_at"] = now
        return len(ended)

    async def count_in_window(self, key: str, now: datetime, window_seconds: int,
                              increment: int = 1) -> int:
        self.counters[key] = self.counters.get(key, 0) + increment
        return self.counters[key]
