"""The caller's inbox: pages, mark read, email preferences, and the live stream's reads.

Every read is by the caller's id on an index of ``notifications`` (adapters/tables.py):
the list seeks by (``created_at``, ``id``) from the ``before`` cursor, the unread count
reads the partial index of unread entries, and a live stream reads again only when the
live channel says its user got something (adapters/live.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from services.notify.application.ports import InboxReader, LiveChannel, Row
from services.notify.domain.errors import (
    InvalidCursorError,
    NotificationNotFoundError,
    UnknownNotificationKindError,
)
from services.notify.domain.kinds import KINDS
from shared.http.isotime import IsoDatetime
from shared.pagination import CursorError, decode_cursor, encode_cursor

Signal = Literal["connected", "idle"]
OVERLAP = timedelta(seconds=5)  # a stream re-reads this far back: commits land out of order


class NotificationView(BaseModel):
    """One inbox entry as its owner reads it (the list, mark read, the live stream)."""

    id: str
    kind: str = Field(description="The preference key (domain/kinds.py).")
    title: str
    dossier_id: str | None
    code: str | None = Field(description="The dossier's code, when it is about one.")
    event_type: str
    read: bool
    created_at: IsoDatetime


class NotificationPage(BaseModel):
    items: list[NotificationView] = Field(description="Newest first.")
    unread: int = Field(description="The caller's unread entries, all pages together.")
    next: str | None = Field(description="`before` of the next page; null on the last.")


class EmailPreferences(BaseModel):
    email: dict[str, bool] = Field(description="Email on/off per kind.")
    kinds: dict[str, str] = Field(description="Every kind and what people read of it.")
    in_app: Literal["always"] = Field(description="In-app entries cannot be turned off.")


def public(entry: Row) -> NotificationView:
    return NotificationView(
        id=entry["id"],
        kind=entry.get("kind"),
        title=entry["title"],
        dossier_id=entry.get("subject"),
        code=entry.get("code"),
        event_type=entry.get("event_type"),
        read=entry["read"],
        created_at=entry["created_at"],
    )


def cursor_of(entry: Row) -> str:
    return encode_cursor(entry["created_at"], entry["id"])


def after(cursor: str) -> tuple[datetime, str]:
    try:
        return decode_cursor(cursor)
    except CursorError as error:
        raise InvalidCursorError() from error


class Inbox:
    def __init__(self, reader: InboxReader, live: LiveChannel) -> None:
        self.reader = reader
        self.live = live

    async def page(
        self, user_id: str, *, unread: bool, limit: int, before: str | None
    ) -> NotificationPage:
        cursor = after(before) if before else None
        rows, unread_count = await self.reader.page(
            user_id, unread=unread, before=cursor, limit=limit + 1
        )
        page = rows[:limit]
        return NotificationPage(
            items=[public(e) for e in page],
            unread=unread_count,
            next=cursor_of(page[-1]) if len(rows) > limit else None,
        )

    async def unread(self, user_id: str) -> int:
        return await self.reader.unread_count(user_id)

    async def mark_read(self, user_id: str, entry_id: str) -> NotificationView:
        entry = await self.reader.mark_read(user_id, entry_id)
        if entry is None:
            raise NotificationNotFoundError()
        return public({**entry, "read": True})

    async def preferences(self, user_id: str) -> EmailPreferences:
        chosen = await self.reader.preferences(user_id)
        return EmailPreferences(
            email={kind: bool(chosen.get(kind, True)) for kind in KINDS},
            kinds=KINDS,
            in_app="always",
        )

    async def choose(self, user_id: str, email: Mapping[str, bool]) -> EmailPreferences:
        unknown = sorted(set(email) - set(KINDS))
        if unknown:
            raise UnknownNotificationKindError(unknown)
        await self.reader.merge_preferences(user_id, email)
        return await self.preferences(user_id)

    async def resume_point(self, user_id: str, last_event_id: str | None) -> Row | None:
        """The entry a reconnecting stream saw last (its ``Last-Event-ID``), if it is the
        user's."""
        return await self.reader.entry(user_id, last_event_id) if last_event_id else None

    async def follow(
        self, user_id: str, last: Row | None, keepalive: float
    ) -> AsyncGenerator[Row | Signal, None]:
        """``"connected"`` once listening, then each new entry of the user as it is
        recorded, and ``"idle"`` after ``keepalive`` seconds without one. Resumes after
        ``last``, otherwise starts now (what is already there is not news)."""
        wake = self.live.subscribe(user_id)  # before the first read: no write falls in between
        try:
            since = last["recorded_at"] if last else datetime.now(UTC) - timedelta(seconds=2)
            seen: dict[str, datetime] = (
                {last["id"]: since}
                if last
                else {
                    e["id"]: e["recorded_at"]
                    for e in await self.reader.recorded_since(user_id, since)
                }
            )
            yield "connected"
            while True:
                for entry in await self.reader.recorded_since(user_id, since):
                    if entry["id"] in seen:
                        continue
                    seen[entry["id"]] = entry["recorded_at"]
                    yield entry
                if seen:  # read only the recent past next time
                    since = max(since, max(seen.values()) - OVERLAP)
                    seen = {k: at for k, at in seen.items() if at >= since}
                while True:  # nothing to read until this user's inbox changes
                    try:
                        await asyncio.wait_for(wake.wait(), keepalive)
                        break
                    except TimeoutError:
                        yield "idle"
                wake.clear()
        finally:
            self.live.unsubscribe(user_id, wake)
