"""In-memory fakes of notify's ports (application/ports.py), for unit tests only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from services.notify.application.ports import Audience
from services.notify.application.projections import Projected
from services.notify.domain.messages import DeliveryError, Email

Row = dict[str, Any]


class FakeInbox:
    """``InboxReader`` over a list of entries."""

    def __init__(self, entries: list[Row] | None = None) -> None:
        self.entries = entries or []
        self.prefs: dict[str, dict[str, bool]] = {}

    def _mine(self, user_id: str) -> list[Row]:
        return [e for e in self.entries if e["user_id"] == user_id]

    async def page(
        self, user_id: str, *, unread: bool, before: tuple[datetime, str] | None, limit: int
    ) -> tuple[list[Row], int]:
        rows = sorted(self._mine(user_id), key=lambda e: (e["created_at"], e["id"]), reverse=True)
        chosen = [
            e
            for e in rows
            if (not unread or not e["read"])
            and (before is None or (e["created_at"], e["id"]) < before)
        ]
        return chosen[:limit], sum(not e["read"] for e in rows)

    async def unread_count(self, user_id: str) -> int:
        return sum(not e["read"] for e in self._mine(user_id))

    async def mark_read(self, user_id: str, entry_id: str) -> Row | None:
        for entry in self._mine(user_id):
            if entry["id"] == entry_id:
                entry["read"] = True
                return entry
        return None

    async def entry(self, user_id: str, entry_id: str) -> Row | None:
        return next((e for e in self._mine(user_id) if e["id"] == entry_id), None)

    async def recorded_since(self, user_id: str, since: datetime) -> list[Row]:
        mine = [e for e in self._mine(user_id) if e["recorded_at"] >= since]
        return sorted(mine, key=lambda e: (e["recorded_at"], e["id"]))

    async def preferences(self, user_id: str) -> dict[str, bool]:
        return dict(self.prefs.get(user_id, {}))

    async def merge_preferences(self, user_id: str, email: Mapping[str, bool]) -> None:
        self.prefs.setdefault(user_id, {}).update(email)


class FakeLive:
    def __init__(self) -> None:
        self.streams: dict[str, set[asyncio.Event]] = {}

    def subscribe(self, user_id: str) -> asyncio.Event:
        wake = asyncio.Event()
        self.streams.setdefault(user_id, set()).add(wake)
        return wake

    def unsubscribe(self, user_id: str, wake: asyncio.Event) -> None:
        self.streams.get(user_id, set()).discard(wake)

    def wake(self, user_id: str) -> None:
        for wake in self.streams.get(user_id, ()):
            wake.set()


class FakeEffects:
    def __init__(self, store: FakeNotifyStore) -> None:
        self.store = store

    async def first_time(self, consumer: str, event_id: str) -> bool:
        key = (consumer, event_id)
        new = key not in self.store.processed
        self.store.processed.add(key)
        return new

    async def first_times(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        return {i for i in event_ids if await self.first_time(consumer, i)}

    async def project_many(self, rows: Sequence[Projected]) -> list[Row | None]:
        return [await self.project(r.table, r.key, r.version, r.changes) for r in rows]

    async def project(
        self, table: str, key: str, version: int, changes: Mapping[str, Any]
    ) -> Row | None:
        rows = self.store.tables.setdefault(table, {})
        row = rows.get(key)
        if row is None or row["version"] < version:
            row = rows[key] = {**(row or {}), "id": key, "version": version, **changes}
        return dict(row)

    async def dossier(self, dossier_id: str | None) -> Row | None:
        return self.store.tables.get("dossiers", {}).get(dossier_id or "")

    async def recipients(self, wanted: Sequence[Audience]) -> list[list[Row]]:
        return [self._people(w) for w in wanted]

    def _people(self, wanted: Audience) -> list[Row]:
        accounts = self.store.tables.get("accounts", {})
        people: list[Row] = []
        if wanted.owners and wanted.owner:
            address = wanted.contact or accounts.get(wanted.owner, {}).get("email")
            people.append({"audience": "owner", "user_id": wanted.owner, "email": address})
        if wanted.officers and wanted.agency:
            people += [
                {"audience": "officers", "user_id": a["id"], "email": a.get("email")}
                for a in accounts.values()
                if a.get("agency_code") == wanted.agency and a.get("kind") == "officer"
            ]
        return [{**p, "prefs": self.store.prefs.get(p["user_id"])} for p in people]

    async def insert_entries(self, rows: Sequence[Mapping[str, Any]]) -> int:
        new = [r for r in rows if r["id"] not in self.store.entries]
        self.store.entries.update({r["id"]: dict(r) for r in new})
        return len(new)

    async def record_email(
        self, event_id: str, event_type: str, account_id: str, at: datetime
    ) -> bool:
        status = self.store.emails.setdefault(event_id, "pending")
        return status == "pending"


class FakeNotifyStore:
    """``NotifyStore``: the tables as dicts; a failing transaction keeps nothing."""

    def __init__(self) -> None:
        self.processed: set[tuple[str, str]] = set()
        self.tables: dict[str, dict[str, Row]] = {}
        self.entries: dict[str, Row] = {}
        self.emails: dict[str, str] = {}
        self.prefs: dict[str, dict[str, bool]] = {}

    @asynccontextmanager
    async def effects(self, *, pipelined: bool = False) -> AsyncIterator[FakeEffects]:
        yield FakeEffects(self)

    async def mark_email(self, event_id: str, status: str) -> None:
        self.emails[event_id] = status


class FakeQueue:
    """``EmailQueue``: the pending rows, due at once; records what the sender did."""

    def __init__(self, rows: list[Row]) -> None:
        self.pending = {r["id"]: {**r, "email_attempts": 0} for r in rows}
        self.delivered: list[str] = []
        self.failures: list[tuple[str, str, float | None]] = []

    async def claim(self, limit: int, lease_seconds: float) -> list[Row]:
        claimed = list(self.pending.values())[:limit]
        for row in claimed:
            row["email_attempts"] += 1
        return [dict(r) for r in claimed]

    async def release(self, entry_ids: list[str]) -> None:
        for entry_id in entry_ids:
            self.pending[entry_id]["email_attempts"] -= 1

    async def sent(self, entry_id: str) -> None:
        self.delivered.append(entry_id)
        del self.pending[entry_id]

    async def failed(self, entry_id: str, error: str, retry_in: float | None) -> None:
        self.failures.append((entry_id, error, retry_in))
        if retry_in is None:
            del self.pending[entry_id]


class FakeMailer:
    """``Mailer``: refuses the addresses in ``refused``, keeps what it sent."""

    def __init__(self, refused: set[str] | None = None, attempts: int = 3) -> None:
        self.refused = refused or set()
        self.attempts = attempts
        self.outbox: list[tuple[str, Email, str]] = []

    async def send(self, to: str, email: Email, key: str) -> None:
        await self.send_once(self.connection(), to, email, key)

    def connection(self) -> FakeMailer:
        return self

    async def close(self) -> None:
        return None

    async def send_once(self, connection: Any, to: str, email: Email, key: str) -> None:
        if to in self.refused:
            raise DeliveryError(f"SMTP: 550 {to} refused")
        self.outbox.append((to, email, key))

    def delay(self, attempt: int) -> float:
        return 0.5 * 2 ** (attempt - 1)


class FakeTemplates:
    def render(self, name: str, subject: str, *, strict: bool = True, **values: Any) -> Email:
        return Email(subject, f"{name}: {values}")


class NoWakeups:
    def __init__(self, on_connect: Any) -> None:
        self.on_connect = on_connect

    async def wait(self, timeout: float) -> list[str]:
        await asyncio.sleep(timeout)
        return []

    async def close(self) -> None:
        return None
