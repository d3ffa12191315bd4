"""What identity's use cases need from the outside, as Protocols: the adapters implement
them (adapters/store.py, hashing.py, signing.py), bootstrap.py wires the concrete ones and
unit tests pass in-memory fakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.identity.domain.limits import Window
from shared.events.envelope import Actor

Doc = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """An event to record: its type (past tense, snake_case) and data."""

    type: str
    data: dict[str, Any]


class Accounts(Protocol):
    """Accounts, their sessions and the counters of throttling, in one store; each change
    of an account is recorded with its events in the same transaction."""

    async def insert(
        self, account: Doc, changes: list[Change], actor: Actor, now: datetime
    ) -> None:
        """Store a new account; EmailTakenError if its email is registered already."""

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
        """Apply the change iff the account is still at the version read; False if not."""

    async def set_quietly(
        self, account_id: str, set_: dict[str, Any], guard: dict[str, Any] | None = None
    ) -> bool: ...

    async def count_login_attempt(self, account_id: str, step: int = 1) -> int: ...

    async def by_id(self, account_id: str) -> Doc | None: ...

    async def by_email_key(self, email_key: str) -> Doc | None: ...

    async def by_token(self, purpose: str, token_hash: str) -> Doc | None: ...

    async def staff_of(self, agency_code: str, limit: int = 1000) -> list[Doc]: ...

    async def document_files(self) -> set[str]:
        """The sha256 of every file a wallet document of any account names."""
        ...

    async def open_session(self, session: Doc, now: datetime) -> None: ...

    async def session(self, session_id: str) -> Doc | None: ...

    async def rotate_session(
        self, session_id: str, presented: str, new_hash: str, now: datetime
    ) -> bool: ...

    async def revoke_sessions(
        self,
        now: datetime,
        *,
        account_id: str | None = None,
        session_id: str | None = None,
        keep: str | None = None,
    ) -> int: ...

    async def count_in_window(
        self, key: str, now: datetime, window_seconds: int, increment: int = 1
    ) -> int: ...

    async def take_attempt(self, windows: Mapping[str, Window], now: datetime) -> float:
        """Count one attempt at ``now`` under every key if each key's window has room
        (domain/limits.py ``take``), atomically; else count nothing. 0.0 when counted,
        else the seconds until it would be."""
        ...

    async def use_captcha(self, nonce: str, expires_at: datetime, now: datetime) -> bool: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored: str | None, password: str) -> bool: ...

    def needs_rehash(self, stored: str) -> bool: ...


class AccessTokens(Protocol):
    """Signs access tokens and publishes the keys that verify them."""

    access_ttl: timedelta

    def jwks(self) -> dict[str, Any]: ...

    def access_token(self, account: Doc, session_id: str, now: datetime) -> str: ...
