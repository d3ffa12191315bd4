"""Deadline reminders from dossier events, kept in a faust table (no dossier-store scan).

The ``deadlines`` table (keyed by dossier id, co-partitioned with the dossier
topic) follows each open dossier's appointment date; a faust timer looks at
the dossiers of the partitions this worker owns and asks the notifier for the
reminder that is due. A reminder's id is derived from (dossier, kind,
appointment), so it is sent once per appointment date even when several
workers or several ticks see it; an extension gives a new date and new reminders.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import TP

from services.notify.application.notices import Notifier
from services.notify.domain.deadlines import reminder_due
from services.notify.domain.kinds import reminder_notices
from shared.events.envelope import IntegrationEvent
from shared.workdays import WorkCalendar

log = logging.getLogger(__name__)
REMINDER_NAMESPACE = uuid.UUID("0d4f6a59-22c3-5d7e-9f3b-8e2a1c6b4d70")
CLOSED = {"result_returned", "rejected", "rejected_at_reception", "withdrawn"}


def follow(
    table: MutableMapping[str, Any], event: IntegrationEvent, partition: int
) -> dict[str, Any] | None:
    """Update the dossier's row from one event (a faust table or any mapping)."""
    kind = event.type.rsplit(".", 1)[-1]
    row = dict(table.get(event.subject) or {})
    if row.get("sequence", 0) >= event.sequence:
        return row or None  # redelivered: already applied
    row.update(sequence=event.sequence, partition=partition, status=kind)
    data = event.data
    if kind == "created":
        row.update(
            owner_id=data.get("owner_id"),
            agency_code=data.get("agency_code"),
            procedure_code=(data.get("procedure") or {}).get("code"),
        )
    if kind == "transferred":
        row["agency_code"] = data.get("to_agency")
    for key in ("code", "appointment_at"):
        if data.get(key):
            row[key] = data[key]
    if kind in CLOSED:
        row["closed"] = True
    table[event.subject] = row
    return row


def reminder_id(dossier_id: str, kind: str, appointment_at: str) -> str:
    return str(uuid.uuid5(REMINDER_NAMESPACE, f"{dossier_id}/{kind}/{appointment_at}"))


class Reminders:
    def __init__(
        self,
        app: faust.App,
        table: faust.Table,
        notifier: Notifier,
        dossier_topic: str,
        calendar: Callable[[], Awaitable[WorkCalendar]],
    ) -> None:
        self.app = app
        self.table = table
        self.notifier = notifier
        self.dossier_topic = dossier_topic
        self.calendar = calendar
        self.sent: set[str] = set()  # in-process shortcut; the inbox is the real guard

    async def tick(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        owned = self.app.consumer.assignment() if self.app.consumer else set()
        calendar = await self.calendar()
        for dossier_id, row in list(self.table.items()):
            if row.get("closed"):
                self._forget(dossier_id, row)
                continue
            if row.get("status") == "supplement_requested":
                continue
            if TP(self.dossier_topic, row.get("partition", -1)) not in owned:
                continue
            appointment = row.get("appointment_at")
            if not appointment:
                continue
            kind = reminder_due(now, datetime.fromisoformat(appointment), calendar)
            if kind is None:
                continue
            source = reminder_id(dossier_id, kind, appointment)
            if source in self.sent:
                continue
            dossier = {"id": dossier_id, **row}
            notices = reminder_notices(kind, row.get("code", ""), appointment)
            await self.notifier.deliver(source, f"vn.motcua.notify.{kind}", now, dossier, notices)
            self.sent.add(source)

    def _forget(self, dossier_id: str, row: dict[str, Any]) -> None:
        """A closed dossier gets no more reminders: drop its ids from the shortcut."""
        appointment = row.get("appointment_at")
        if appointment:
            for kind in ("deadline_approaching", "deadline_overdue"):
                self.sent.discard(reminder_id(dossier_id, kind, appointment))
