"""What notify's use cases need from the outside, as Protocols.

The adapters implement them (PostgreSQL in adapters/store.py and adapters/email_queue.py,
SMTP in adapters/delivery.py and adapters/mailer.py, Jinja2 in adapters/templates.py, the
LISTEN hub in adapters/live.py); bootstrap.py builds the concrete ones; unit tests use
in-memory fakes (tests/unit/fakes.py). Rows are plain dicts of the store's columns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.notify.application.projections import Projected
from services.notify.domain.messages import Email

Row = dict[str, Any]


class InboxReader(Protocol):
    """The caller's inbox: pages newest first, the unread count, preferences."""

    async def page(
        self, user_id: str, *, unread: bool, before: tuple[datetime, str] | None, limit: int
    ) -> tuple[list[Row], int]:
        """Up to ``limit`` entries before the (created_at, id) cursor, newest first, and
        the user's unread count."""
        ...

    async def unread_count(self, user_id: str) -> int:
        """How many of the user's entries are unread (the bell's figure)."""
        ...

    async def mark_read(self, user_id: str, entry_id: str) -> Row | None:
        """The entry, marked read, or None when the user has no such entry."""
        ...

    async def entry(self, user_id: str, entry_id: str) -> Row | None: ...

    async def recorded_since(self, user_id: str, since: datetime) -> list[Row]:
        """The user's entries recorded at or after ``since``, oldest first."""
        ...

    async def preferences(self, user_id: str) -> dict[str, bool]: ...

    async def merge_preferences(self, user_id: str, email: Mapping[str, bool]) -> None:
        """Merge ``email`` into the user's choices in one atomic statement."""
        ...


class LiveChannel(Protocol):
    """Wakes the open streams of a user whose inbox changed."""

    def subscribe(self, user_id: str) -> asyncio.Event: ...

    def unsubscribe(self, user_id: str, wake: asyncio.Event) -> None: ...


class StatsStore(Protocol):
    async def rows(self, agency_code: str | None, procedure_code: str | None) -> list[Row]: ...

    async def save(self, key: str, counts: Mapping[str, int]) -> None:
        """The absolute counts of ``<agency>|<procedure>`` (a repeated write is harmless)."""
        ...


@dataclass(frozen=True)
class Audience:
    """Who one event's notices go to: the dossier's owner (the form's address, else the
    account's) when ``owners``, the agency's officers when ``officers``."""

    owner: str | None
    contact: str | None
    agency: str | None
    owners: bool
    officers: bool


class Effects(Protocol):
    """The writes of consumed events or a reminder, in one transaction."""

    async def first_time(self, consumer: str, event_id: str) -> bool: ...

    async def first_times(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Record a batch as handled by ``consumer``; the ids that were not before."""
        ...

    async def project(
        self, table: str, key: str, version: int, changes: Mapping[str, Any]
    ) -> Row | None:
        """Version-guarded upsert; the row as it is now, written or not."""
        ...

    async def project_many(self, rows: Sequence[Projected]) -> list[Row | None]:
        """:meth:`project` each of ``rows`` in order (one round trip when pipelined)."""
        ...

    async def dossier(self, dossier_id: str | None) -> Row | None: ...

    async def recipients(self, wanted: Sequence[Audience]) -> list[list[Row]]:
        """For each audience, ``audience``, ``user_id``, ``email`` and ``prefs`` of each
        person to notify: one query for the batch."""
        ...

    async def insert_entries(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """The inbox rows not there yet (waking their live streams and the email sender at
        commit); how many were new."""
        ...

    async def record_email(
        self, event_id: str, event_type: str, account_id: str, at: datetime
    ) -> bool:
        """The identity email's delivery record, inserted once; True while still to send."""
        ...


class NotifyStore(Protocol):
    def effects(self, *, pipelined: bool = False) -> AbstractAsyncContextManager[Effects]:
        """One transaction (``pipelined``: statements sent without waiting for results
        that are not needed in between)."""
        ...

    async def mark_email(self, event_id: str, status: str) -> None:
        """The identity email's delivery record is ``sent`` or ``unsealable``."""
        ...


class EmailQueue(Protocol):
    """The pending emails of the inbox rows, shared by every sender."""

    async def claim(self, limit: int, lease_seconds: float) -> list[Row]:
        """Up to ``limit`` due rows (``id``, ``email_to``, ``email_message``,
        ``email_attempts``), another sender's for ``lease_seconds``."""
        ...

    async def release(self, entry_ids: list[str]) -> None: ...

    async def sent(self, entry_id: str) -> None: ...

    async def failed(self, entry_id: str, error: str, retry_in: float | None) -> None:
        """Try again in ``retry_in`` seconds, or (None) keep it ``failed``."""
        ...


class Wakeups(Protocol):
    """Notifications of a channel: at least one payload, or none after ``timeout``."""

    async def wait(self, timeout: float) -> list[str]: ...

    async def close(self) -> None: ...


Listen = Callable[[Callable[[], None]], Wakeups]  # on (re)connect → the wake-ups


class MailConnection(Protocol):
    async def send(self, to: str, email: Email, event_id: str) -> None: ...

    async def close(self) -> None: ...


class Mailer(Protocol):
    """SMTP with retries; every failure is a ``DeliveryError``."""

    attempts: int

    async def send(self, to: str, email: Email, key: str) -> None:
        """Attempt up to ``attempts`` times in place."""
        ...

    def connection(self) -> MailConnection: ...

    async def send_once(
        self, connection: MailConnection, to: str, email: Email, key: str
    ) -> None: ...

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number ``attempt``."""
        ...


class Templates(Protocol):
    def render(self, name: str, subject: str, *, strict: bool = True, **values: Any) -> Email: ...
