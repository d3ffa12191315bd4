"""Follows the dossier application's notification log into the MongoDB read models.

Position: one document in ``projection_positions``, written after a batch's
documents. A crash between the two re-projects the batch, harmlessly: every
write is guarded by the dossier's version. Synchronous (the event store is);
the worker runs it in a thread.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, MongoClient
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.filing import Filing
from services.dossier.projections.readmodels import (
    LIST,
    POSITIONS,
    TIMELINES,
    list_entry,
    timeline_entry,
)

log = logging.getLogger(__name__)
NAME = "dossier-read-models"


def _put(db: Database[dict[str, Any]], collection: str, doc_id: str, version: int,
         changes: dict[str, Any]) -> None:
    with suppress(DuplicateKeyError):  # already at this version or newer
        db[collection].update_one({"_id": doc_id, "version": {"$lt": version}},
                                  {"$set": {**changes, "version": version}}, upsert=True)


class Projector:
    def __init__(self, app: DossierApplication, db: Database[dict[str, Any]],
                 batch_size: int = 500) -> None:
        self.app = app
        self.db = db
        self.batch_size = batch_size

    def ensure_indexes(self) -> None:
        self.db[LIST].create_index([("owner_id", ASCENDING), ("updated_at", ASCENDING)])
        self.db[LIST].create_index([("agencies", ASCENDING), ("status", ASCENDING),
                                    ("appointment_at", ASCENDING)])
        self.db[LIST].create_index([("code", ASCENDING)])

    def position(self) -> int:
        found = self.db[POSITIONS].find_one({"_id": NAME})
        return int(found["position"]) if found else 0

    def run_once(self) -> int:
        """Project the next batch; returns how many notifications it read."""
        start = self.position()
        notifications = self.app.recorder.select_notifications(
            start, self.batch_size, inclusive_of_start=False)
        if not notifications:
            return 0
        touched: dict[UUID, int] = {}
        for notification in notifications:
            event = self.app.mapper.to_domain_event(notification)
            if isinstance(event, Filing.Event):
                touched[event.originator_id] = max(touched.get(event.originator_id, 0),
                                                   event.originator_version)
        for dossier_id, version in touched.items():
            self.project(dossier_id, version)
        self.db[POSITIONS].update_one({"_id": NAME},
                                      {"$set": {"position": notifications[-1].id}}, upsert=True)
        return len(notifications)

    def project(self, dossier_id: UUID, version: int) -> None:
        docs = self.documents(dossier_id, version)
        if docs is None:
            return
        entry, timeline = docs
        key, at = str(dossier_id), entry["version"]
        _put(self.db, LIST, key, at, {k: v for k, v in entry.items() if k != "version"})
        _put(self.db, TIMELINES, key, at, {k: v for k, v in timeline.items() if k != "version"})

    def documents(self, dossier_id: UUID,
                  version: int | None = None) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The dossier's list entry and timeline at ``version`` (default: latest)."""
        events = list(self.app.events.get(dossier_id, lte=version))
        dossier: Dossier | None = None
        for event in events:
            dossier = event.mutate(dossier)
        if dossier is None:
            return None
        key = str(dossier_id)
        return ({"_id": key, **list_entry(dossier), "version": dossier.version},
                {"_id": key, **timeline_entry(events), "version": dossier.version})

    def rebuild(self, batch: int = 200) -> int:
        """Drop the read models and project every dossier from the start.

        Documents are inserted in bulk (each at its dossier's latest version), which
        MongoDB-protocol servers do far faster than one upsert per event; the position
        is then set to the last notification read, and live projection carries on.
        """
        for name in (LIST, TIMELINES, POSITIONS):
            self.db[name].drop()
        self.ensure_indexes()
        last = self.app.recorder.max_notification_id() or 0
        dossier_ids: dict[UUID, None] = {}
        position = 0
        while position < last:
            notifications = self.app.recorder.select_notifications(
                position, self.batch_size, stop=last, inclusive_of_start=False)
            if not notifications:
                break
            for notification in notifications:
                event = self.app.mapper.to_domain_event(notification)
                if isinstance(event, Filing.Event):
                    dossier_ids[event.originator_id] = None
            position = notifications[-1].id
        pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for dossier_id in dossier_ids:
            docs = self.documents(dossier_id)
            if docs is not None:
                pending.append(docs)
            if len(pending) >= batch:
                self._insert(pending)
                pending = []
        self._insert(pending)
        self.db[POSITIONS].update_one({"_id": NAME}, {"$set": {"position": last}}, upsert=True)
        self.run_once()  # whatever arrived meanwhile, version-guarded
        return last

    def _insert(self, docs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        if docs:
            self.db[LIST].insert_many([entry for entry, _ in docs], ordered=False)
            self.db[TIMELINES].insert_many([timeline for _, timeline in docs], ordered=False)


def open_projector(settings: Any, database: str | None = None) -> tuple[Projector, Any]:
    """A projector on the configured event store and MongoDB; returns it and a closer."""
    app = DossierApplication(env=settings.eventstore_env())
    client: MongoClient[dict[str, Any]] = MongoClient(settings.require("mongo_url"),
                                                      tz_aware=True)
    projector = Projector(app, client[database or settings.mongo_database])

    def close() -> None:
        client.close()
        app.close()

    return projector, close
