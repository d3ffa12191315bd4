"""Published procedures and the working-day calendar, kept in the dossier's own MongoDB.

The worker writes them from the catalog's events (:mod:`catalog_events`); the
API reads them here, synchronously (it runs in FastAPI's thread pool beside
the synchronous event store), with a short cache so a burst of drafts does
not query MongoDB each time. The dossier service keeps working while catalog
is down: it never calls catalog.
"""

from __future__ import annotations

import json
import time
from typing import Any

from pymongo import DESCENDING, MongoClient

from services.dossier.domain.procedure import ProcedureVersion
from shared.workdays import WorkCalendar, calendar_from

PROCEDURES = "procedures"
CALENDAR = "calendar"
AGENCIES = "agencies"
WALLET = "wallet_documents"
PROFILES = "profiles"
PROFILE_FIELDS = ("tax_code", "name", "address", "representative")


class MongoProcedures:
    def __init__(self, url: str, database: str, cache_seconds: float = 5.0) -> None:
        self.client: MongoClient[dict[str, Any]] = MongoClient(
            url, tz_aware=True, serverSelectionTimeoutMS=5000
        )
        self.db = self.client[database]
        self.cache_seconds = cache_seconds
        self._calendar: tuple[float, WorkCalendar] | None = None

    def get(self, code: str, version: int | None = None) -> ProcedureVersion | None:
        query: dict[str, Any] = {"code": code, "withdrawn": {"$ne": True}}
        if version is not None:
            query["version"] = version
        found = self.db[PROCEDURES].find_one(query, sort=[("version", DESCENDING)])
        if found is None:
            return None
        found["form_schema"] = json.loads(found.get("form_schema_json") or "{}")
        return ProcedureVersion.from_data(found)

    def wallet_document(self, document_id: str) -> dict[str, Any] | None:
        found = self.db[WALLET].find_one({"_id": document_id, "removed": {"$ne": True}})
        return dict(found) if found else None

    def profile(self, account_id: str) -> dict[str, Any]:
        found = self.db[PROFILES].find_one({"_id": account_id}) or {}
        return {k: found[k] for k in PROFILE_FIELDS if found.get(k)}

    def agency_name(self, code: str) -> str:
        found = self.db[AGENCIES].find_one({"_id": code})
        return str(found["name"]) if found and found.get("name") else code

    def calendar(self) -> WorkCalendar:
        cached = self._calendar
        if cached and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        calendar = calendar_from(self.db[CALENDAR].find({}))
        self._calendar = (time.monotonic(), calendar)
        return calendar

    def close(self) -> None:
        self.client.close()
