"""In-memory stand-ins for the catalog's ports, for use-case tests without a database."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from services.catalog.application.calendar import Calendar
from services.catalog.application.procedures import Procedures
from services.catalog.application.registry import Registry
from services.catalog.application.templates import Templates
from shared.events.envelope import IntegrationEvent

Doc = dict[str, Any]


class FakeProcedures:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.events: list[IntegrationEvent] = []

    async def get(self, code: str) -> Doc | None:
        return copy.deepcopy(self.docs.get(code))

    async def get_with_versions(self, code: str) -> Doc | None:
        return await self.get(code)

    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> None:
        self.docs[code] = {"_id": code, "seq": 0, "status": "draft", "listed": False,
                           "draft": draft, "draft_revision": 1, "published_revision": 0,
                           "current_version": 0, "versions": [], "withdrawn_versions": [],
                           "history": [history]}

    async def save_draft(self, code: str, revision: int, draft: Doc, history: Doc,
                         now: datetime) -> bool:
        doc = self.docs[code]
        if doc["draft_revision"] != revision:
            return False
        doc.update(draft=draft, draft_revision=revision + 1)
        doc["history"].append(history)
        return True

    async def publish(self, code: str, seq: int, revision: int, snapshot: Doc, listing: Doc,
                      history: Doc, event: IntegrationEvent, now: datetime) -> bool:
        doc = self.docs[code]
        if (doc["seq"], doc["draft_revision"]) != (seq, revision):
            return False
        doc.update(seq=seq + 1, status="published", listed=True,
                   current_version=snapshot["version"], published_revision=revision, **listing)
        doc["versions"].append(snapshot)
        self.events.append(event)
        return True

    async def withdraw(self, code: str, seq: int, version: int, history: Doc,
                       event: IntegrationEvent, now: datetime) -> bool:
        doc = self.docs[code]
        if doc["seq"] != seq or doc["status"] != "published":
            return False
        doc.update(seq=seq + 1, status="withdrawn", listed=False)
        doc["withdrawn_versions"].append(version)
        self.events.append(event)
        return True


class FakeRecords:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.events: list[IntegrationEvent] = []

    async def get(self, key: str) -> Doc | None:
        return copy.deepcopy(self.docs.get(key))

    async def list(self, query: Doc, sort: str = "_id") -> list[Doc]:
        def matches(doc: Doc) -> bool:
            for field, wanted in query.items():
                value = doc["_id"] if field == "_id" else doc.get(field)
                if isinstance(wanted, dict) and "$in" in wanted:
                    if value not in wanted["$in"]:
                        return False
                elif value != wanted:
                    return False
            return True
        return [copy.deepcopy(d) for _, d in sorted(self.docs.items()) if matches(d)]

    async def save(self, key: str, seq: int, fields: Doc, event: IntegrationEvent,
                   now: datetime) -> bool:
        current = self.docs.get(key, {"seq": 0})
        if current["seq"] != seq:
            return False
        self.docs[key] = {"_id": key, **fields, "seq": seq + 1}
        self.events.append(event)
        return True


class FakeTemplates:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, sha256: str, content: bytes, content_type: str, now: datetime) -> None:
        self.files[sha256] = content

    async def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)


class NoLocks:
    """One event loop, no concurrency in these tests: nothing to serialise."""

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        yield


class FakeCatalog:
    def __init__(self) -> None:
        self.agencies, self.fields, self.calendars = FakeRecords(), FakeRecords(), FakeRecords()
        self.store, self.files = FakeProcedures(), FakeTemplates()
        self.listing_changes: list[str] = []
        self.registry = Registry(self.agencies, self.fields, NoLocks())
        self.procedures = Procedures(self.store, self.registry, NoLocks(), self._changed)
        self.templates = Templates(self.files, self.procedures)
        self.calendar = Calendar(self.calendars, NoLocks())

    async def _changed(self, code: str) -> None:
        self.listing_changes.append(code)
