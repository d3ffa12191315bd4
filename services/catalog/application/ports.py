"""What the use cases need from storage; adapters/ implements them on MongoDB, the unit
tests with in-memory fakes (services/catalog/tests/unit/fakes.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from shared.events.envelope import IntegrationEvent

Doc = dict[str, Any]


class ProcedureRepository(Protocol):
    async def get(self, code: str) -> Doc | None: ...
    async def get_with_versions(self, code: str) -> Doc | None: ...
    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> None: ...
    async def save_draft(self, code: str, revision: int, draft: Doc, history: Doc,
                         now: datetime) -> bool: ...
    async def publish(self, code: str, seq: int, revision: int, snapshot: Doc, listing: Doc,
                      history: Doc, event: IntegrationEvent, now: datetime) -> bool: ...
    async def withdraw(self, code: str, seq: int, version: int, history: Doc,
                       event: IntegrationEvent, now: datetime) -> bool: ...


class RecordRepository(Protocol):
    async def get(self, key: str) -> Doc | None: ...
    async def list(self, query: Doc, sort: str = "_id") -> list[Doc]: ...
    async def save(self, key: str, seq: int, fields: Doc, event: IntegrationEvent,
                   now: datetime) -> bool: ...


class TemplateRepository(Protocol):
    async def put(self, sha256: str, content: bytes, content_type: str,
                  now: datetime) -> None: ...
    async def get(self, sha256: str) -> bytes | None: ...


class Locks(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


__all__ = ["Locks", "ProcedureRepository", "RecordRepository",
           "TemplateRepository"]
