"""In-memory fakes of identity's store (adapters/store.py), for use-case tests without
PostgreSQL: the same methods, the same answers."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.identity.adapters.account_rows import QUIET, apply, get, touched
from services.identity.application.ports import Change
from services.identity.domain.errors import EmailTakenError
from services.identity.domain.limits import Window, take
from shared.events.envelope import Actor


class FakeStore:
    """AccountStore in memory: the same methods (test_store_port.py keeps them in step),
    changes applied with the store's own dotted-path rules, events kept as changes."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.events: list[Change] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.counters: dict[str, int] = {}
        self.attempt_logs: dict[str, list[datetime]] = {}
        self.captchas: dict[str, datetime] = {}

    async def insert(
        self, account: dict[str, Any], changes: list[Change], actor: Actor, now: datetime
    ) -> None:
        if any(a["email_key"] == account["email_key"] for a in self.accounts.values()):
            raise EmailTakenError()
        self.accounts[account["_id"]] = {**copy.deepcopy(account), "version": len(changes)}
        self.events += changes

    async def by_email_key(self, email_key: str) -> dict[str, Any] | None:
        found = [copy.deepcopy(a) for a in self.accounts.values() if a["email_key"] == email_key]
        await asyncio.sleep(0)  # let concurrent callers read before anyone writes
        return found[0] if found else None

    async def by_id(self, account_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.accounts.get(account_id))

    async def set_quietly(
        self, account_id: str, set_: dict[str, Any], guard: dict[str, Any] | None = None
    ) -> bool:
        columns, data = touched(set_)
        if data or not set(columns) <= QUIET:
            raise ValueError(f"not bookkeeping: {sorted(set_)}")
        account = self.accounts.get(account_id)
        if account is None or any(
            get(account, tuple(k.split("."))) != v for k, v in (guard or {}).items()
        ):
            return False
        self.accounts[account_id] = apply(account, set_)
        return True

    async def update(
        self,
        account: dict[str, Any],
        changes: list[Change],
        actor: Actor,
        now: datetime,
        *,
        set_: dict[str, Any] | None = None,
        unset: list[str] | None = None,
        push: dict[str, Any] | None = None,
        guard: dict[str, Any] | None = None,
    ) -> bool:
        stored = self.accounts.get(account["_id"])
        if (
            stored is None
            or stored["version"] != account["version"]
            or any(get(stored, tuple(k.split("."))) != v for k, v in (guard or {}).items())
        ):
            return False
        changed = apply(stored, set_, unset or [], push)
        changed["version"] = account["version"] + len(changes)
        self.accounts[account["_id"]] = changed
        self.events += changes
        return True

    async def by_token(self, purpose: str, token_hash: str) -> dict[str, Any] | None:
        found = [
            a
            for a in self.accounts.values()
            if (a.get(purpose) or {}).get("token_hash") == token_hash
        ]
        return copy.deepcopy(found[0]) if found else None

    async def document_files(self) -> set[str]:
        return {d["file"]["sha256"] for a in self.accounts.values() for d in a.get("documents", [])}

    async def staff_of(self, agency_code: str, limit: int = 1000) -> list[dict[str, Any]]:
        return [
            {
                "_id": a["_id"],
                "status": a["status"],
                "profile": {"full_name": a.get("profile", {}).get("full_name", "")},
                "officer_roles": a.get("officer_roles", []),
            }
            for a in self.accounts.values()
            if a["kind"] == "officer" and a.get("agency_code") == agency_code
        ][:limit]

    async def count_login_attempt(self, account_id: str, step: int = 1) -> int:
        if account_id not in self.accounts:
            return 1
        login = self.accounts[account_id].setdefault("login", {})
        login["failures"] = login.get("failures", 0) + step
        return int(login["failures"])

    async def open_session(self, session: dict[str, Any], now: datetime) -> None:
        self.sessions = {
            k: v
            for k, v in self.sessions.items()
            if not (v["account_id"] == session["account_id"] and v["expires_at"] < now)
        }
        self.sessions[session["id"]] = {
            **copy.deepcopy(session),
            "previous_hashes": [],
            "rotated_at": None,
            "revoked_at": None,
        }

    async def session(self, session_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.sessions.get(session_id))

    async def rotate_session(
        self, session_id: str, presented: str, new_hash: str, now: datetime
    ) -> bool:
        session = self.sessions.get(session_id)
        if session is None or session["token_hash"] != presented or session["revoked_at"]:
            return False
        session["previous_hashes"].append(presented)
        session.update(token_hash=new_hash, rotated_at=now)
        return True

    async def revoke_sessions(
        self,
        now: datetime,
        *,
        account_id: str | None = None,
        session_id: str | None = None,
        keep: str | None = None,
    ) -> int:
        ended = [
            s
            for s in self.sessions.values()
            if (s["id"] == session_id or s["account_id"] == account_id)
            and s["id"] != keep
            and s["revoked_at"] is None
        ]
        for session in ended:
            session["revoked_at"] = now
        return len(ended)

    async def count_in_window(
        self, key: str, now: datetime, window_seconds: int, increment: int = 1
    ) -> int:
        self.counters[key] = self.counters.get(key, 0) + increment
        return self.counters[key]

    async def take_attempt(self, windows: Mapping[str, Window], now: datetime) -> float:
        outcome = take(windows, self.attempt_logs, now)
        if not outcome.wait:
            self.attempt_logs.update(outcome.counted)
        return outcome.wait

    async def use_captcha(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        self.captchas = {n: e for n, e in self.captchas.items() if e >= now}
        if nonce in self.captchas:
            return False
        self.captchas[nonce] = expires_at
        return True
