"""Reading the MongoDB read models: a citizen's dossiers and an agency's work queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from services.dossier.api.views import local
from services.dossier.projections.readmodels import ACTIVE, LIST, TIMELINES, folded
from shared.workdays import WorkCalendar

QUEUES = ("to_receive", "in_processing", "due_soon", "overdue", "waiting_for_citizen")
_WORKING = ["accepted", "in_processing"]


def _shown(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    for key in ("created_at", "updated_at", "submitted_at", "accepted_at", "appointment_at",
                "completed_at"):
        value = doc.get(key)
        doc[key] = value.isoformat() if isinstance(value, datetime) else value
        if key == "appointment_at":
            doc["appointment_local"] = local(value) if isinstance(value, datetime) else None
    doc.pop("search", None)
    return doc


def queue_filter(queue: str, agency: str, now: datetime,
                 calendar: WorkCalendar) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The query and sort of one work queue (due soon: within 2 working days)."""
    base: dict[str, Any] = {"agencies": agency}
    by_due = [("appointment_at", ASCENDING), ("_id", ASCENDING)]
    if queue == "to_receive":
        return {**base, "status": "submitted"}, [("submitted_at", ASCENDING), ("_id", ASCENDING)]
    if queue == "in_processing":
        return {**base, "status": {"$in": _WORKING}}, by_due
    if queue == "due_soon":
        limit = calendar.add_working_days(now, 2)
        return {**base, "status": {"$in": _WORKING},
                "appointment_at": {"$gte": now, "$lte": limit}}, by_due
    if queue == "overdue":
        return {**base, "status": {"$in": _WORKING}, "appointment_at": {"$lt": now}}, by_due
    if queue == "waiting_for_citizen":
        return ({**base, "status": {"$in": ["supplement_requested", "awaiting_payment"]}},
                [("updated_at", ASCENDING), ("_id", ASCENDING)])
    raise ValueError(queue)


class ReadModels:
    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self.db = db

    def my_dossiers(self, owner_id: str, page: int, size: int,
                    search: str = "") -> dict[str, Any]:
        query: dict[str, Any] = {"owner_id": owner_id}
        if search:
            query["search"] = {"$regex": _escape(folded(search))}
        return self._page(query, [("updated_at", DESCENDING), ("_id", ASCENDING)], page, size)

    def queue(self, agency: str, queue: str, now: datetime, calendar: WorkCalendar,
              page: int, size: int, assignee: str | None = None) -> dict[str, Any]:
        query, sort = queue_filter(queue, agency, now, calendar)
        if assignee is not None:
            query["assignee"] = assignee
        return self._page(query, sort, page, size)

    def counts(self, agency: str, now: datetime, calendar: WorkCalendar) -> dict[str, int]:
        return {q: self.db[LIST].count_documents(queue_filter(q, agency, now, calendar)[0])
                for q in QUEUES}

    def timeline(self, dossier_id: str) -> dict[str, Any] | None:
        return self.db[TIMELINES].find_one({"_id": dossier_id})

    def _page(self, query: dict[str, Any], sort: list[tuple[str, int]], page: int,
              size: int) -> dict[str, Any]:
        total = self.db[LIST].count_documents(query)
        found = self.db[LIST].find(query).sort(sort).skip((page - 1) * size).limit(size)
        return {"items": [_shown(d) for d in found], "page": page, "size": size,
                "total": total}


def _escape(text: str) -> str:
    return "".join("\\" + c if c in r".^$*+?{}[]\|()" else c for c in text)


__all__ = ["ACTIVE", "QUEUES", "ReadModels"]
