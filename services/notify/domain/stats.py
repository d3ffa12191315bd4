"""Which facts of a dossier count in the statistics, and under which key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

MEASURES = ("received", "on_time", "late")


def measures_of(event_type: str, data: dict[str, Any], row: dict[str, Any]) -> list[str]:
    """``received`` at acceptance; ``on_time`` or ``late`` (after the appointment) when the
    result is returned. ``row`` is the dossier's deadline row."""
    kind = event_type.rsplit(".", 1)[-1]
    if kind == "accepted":
        return ["received"]
    if kind == "result_returned":
        at, due = data.get("at"), row.get("appointment_at")
        late = bool(at and due and datetime.fromisoformat(at) > datetime.fromisoformat(due))
        return ["late" if late else "on_time"]
    return []


def stats_key(row: dict[str, Any]) -> str:
    return f"{row.get('agency_code') or '-'}|{row.get('procedure_code') or '-'}"
