"""When a dossier's deadline reminder is due: 2 working days before, and once overdue."""

from __future__ import annotations

from datetime import datetime

from shared.workdays import WorkCalendar

APPROACHING_WORKING_DAYS = 2


def reminder_due(now: datetime, appointment_at: datetime, calendar: WorkCalendar) -> str | None:
    """``deadline_overdue``, ``deadline_approaching`` or None (not yet)."""
    if now >= appointment_at:
        return "deadline_overdue"
    if calendar.working_days_between(now, appointment_at) <= APPROACHING_WORKING_DAYS:
        return "deadline_approaching"
    return None
