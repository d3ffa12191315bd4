"""Deadline reminders: each open dossier's row, when its reminder is due, and its id.

The row of a dossier follows its events (owner, agency, procedure, code, appointment,
closed) in any mapping (a faust table in the stream worker). A reminder is due 2 working
days before the appointment and once overdue; its id is derived from (dossier, kind,
appointment), so it is sent once per appointment date.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from shared.events.envelope import IntegrationEvent
from shared.workdays import WorkCalendar

APPROACHING_WORKING_DAYS = 2
REMINDER_NAMESPACE = uuid.UUID("0d4f6a59-22c3-5d7e-9f3b-8e2a1c6b4d70")
CLOSED = {"result_returned", "rejected", "rejected_at_reception", "withdrawn"}


def reminder_due(now: datetime, appointment_at: datetime, calendar: WorkCalendar) -> str | None:
    """``deadline_overdue``, ``deadline_approaching`` or None (not yet)."""
    if now >= appointment_at:
        return "deadline_overdue"
    if calendar.working_days_between(now, appointment_at) <= APPROACHING_WORKING_DAYS:
        return "deadline_approaching"
    return None


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
