"""Deadline reminders from dossier events, kept in a faust table (no dossier-store scan).

The ``deadlines`` table (keyed by dossier id, co-partitioned with the dossier
topic) follows each open dossier's appointment date (``domain.deadlines.follow``); a
faust timer looks at the dossiers of the partitions this worker owns and asks the
notifier for the reminder that is due. A reminder's id is derived from (dossier, kind,
appointment), so it is sent once per appointment date even when several
workers or several ticks see it; an extension gives a new date and new reminders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import TP, TableT

from services.notify.application.notices import Notifier
from services.notify.domain.deadlines import reminder_due, reminder_id
from services.notify.domain.kinds import reminder_notices
from shared.workdays import WorkCalendar


class Reminders:
    def __init__(
        self,
        app: faust.App,
        table: TableT[str, Any],
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
