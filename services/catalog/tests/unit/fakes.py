"""In-memory stand-ins for the catalog's ports, for use-case tests without a database."""

from __future__ import annotations

import copy
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

    async def get_with_version(self, code: str, version: int | None) -> Doc | None:
        doc = await self.get(code)
        if doc is None:
            return None
        wanted = doc["current_version"] if version is None else version
        doc["snapshot"] = next((s for s in doc["versions"] if s["version"] == wanted), None)
        return doc

    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> bool:
        if code in self.docs:
            return False
        self.docs[code] = {
            "code": code,
            "seq": 0,
            "status": "draft",
            "listed": False,
            "draft": draft,
            "draft_revision": 1,
            "published_revision": 0,
            "current_version": 0,
            "versions": [],
            "history": [history],
        }
        return True

    async def save_draft(
        self, code: str, revision: int | None, draft: Doc, history: Doc, now: datetime
    ) -> int | None:
        doc = self.docs[code]
        if revision is not None and doc["draft_revision"] != revision:
            return None
        doc.update(draft=draft, draft_revision=doc["draft_revision"] + 1)
        doc["history"].append({**history, "revision": doc["draft_revision"]})
        return doc["draft_revision"]

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
    ) -> bool:
        doc = self.docs[code]
        if (doc["seq"], doc["draft_revision"]) != (seq, revision):
            return False
        doc.update(
            seq=seq + 1,
            status="published",
            listed=True,
            current_version=snapshot["version"],
            published_revision=revision,
            **listing,
        )
        doc["versions"].append({**snapshot, "withdrawn_at": None})
        self.events.append(event)
        return True

    async def withdraw(
        self,
        code: str,
        seq: int,
        version: int,
        history: Doc,
        event: IntegrationEvent,
        now: datetime,
    ) -> bool:
        doc = self.docs[code]
        if doc["seq"] != seq or doc["status"] != "published":
            return False
        doc.update(seq=seq + 1, status="withdrawn", listed=False)
        for snapshot in doc["versions"]:
            if snapshot["version"] == version:
                snapshot["withdrawn_at"] = now
        self.events.append(event)
        return True


class FakeRecords:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.events: list[IntegrationEvent] = []

    async def get(self, key: str) -> Doc | None:
        return copy.deepcopy(self.docs.get(key))

    async def get_many(self, keys: list[str]) -> list[Doc]:
        return [copy.deepcopy(d) for k, d in sorted(self.docs.items()) if k in keys]

    async def list(self, query: Doc) -> list[Doc]:
        return [
            copy.deepcopy(d)
            for _, d in sorted(self.docs.items())
            if all(d.get(field) == wanted for field, wanted in query.items())
        ]

    async def save(
        self, key: str, seq: int, fields: Doc, event: IntegrationEvent, now: datetime
    ) -> bool:
        current = self.docs.get(key, {"seq": 0})
        if current["seq"] != seq:
            return False
        self.docs[key] = {"code": key, **fields, "seq": seq + 1}
        self.events.append(event)
        return True


class FakeTemplates:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, sha256: str, content: bytes, content_type: str, now: datetime) -> None:
        self.files[sha256] = content

    async def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)


class FakeCatalog:
    def __init__(self) -> None:
        self.agencies, self.fields, self.calendars = FakeRecords(), FakeRecords(), FakeRecords()
        self.store, self.files = FakeProcedures(), FakeTemplates()
        self.registry = Registry(self.agencies, self.fields)
        self.procedures = Procedures(self.store, self.registry)
        self.templates = Templates(self.files, self.procedures)
        self.calendar = Calendar(self.calendars)
