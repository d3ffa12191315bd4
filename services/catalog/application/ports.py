"""What the use cases need from storage; adapters/ implements them on PostgreSQL, the unit
tests with in-memory fakes (services/catalog/tests/unit/fakes.py). Every write that
carries an event commits the change and the event together, and returns False when
the row changed since the caller read it (the use case answers 409)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from services.catalog.domain.text import SearchQuery
from shared.events.envelope import IntegrationEvent

Doc = dict[str, Any]


class ProcedureRepository(Protocol):
    async def get(self, code: str) -> Doc | None: ...
    async def get_with_version(self, code: str, version: int | None) -> Doc | None: ...
    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> bool: ...
    async def save_draft(
        self, code: str, revision: int | None, draft: Doc, history: Doc, now: datetime
    ) -> int | None: ...
    async def publish(
        self,
        code: str,
        seq: int,
        revision: int,
        snapshot: Doc,
        listing: Doc,
        history: Doc,
        event: IntegrationEvent,
        now: datetime,
    ) -> bool: ...
    async def withdraw(
        self,
        code: str,
        seq: int,
        version: int,
        history: Doc,
        event: IntegrationEvent,
        now: datetime,
    ) -> bool: ...


class RecordRepository(Protocol):
    async def get(self, key: str) -> Doc | None: ...
    async def get_many(self, keys: list[str]) -> list[Doc]: ...
    async def list(self, query: Doc) -> list[Doc]: ...
    async def save(
        self, key: str, seq: int, fields: Doc, event: IntegrationEvent, now: datetime
    ) -> bool: ...


class TemplateRepository(Protocol):
    async def put(self, sha256: str, content: bytes, content_type: str, now: datetime) -> None: ...
    async def get(self, sha256: str) -> bytes | None: ...


class SearchRepository(Protocol):
    async def search(
        self,
        query: SearchQuery,
        agency: str | None,
        field: str | None,
        level: int | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[Doc]]: ...


__all__ = ["ProcedureRepository", "RecordRepository", "SearchRepository", "TemplateRepository"]
