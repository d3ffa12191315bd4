"""What every use case of the catalogue shares: the clock and the audit entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from services.catalog.domain.errors import CatalogError
from shared.events.envelope import Actor

Clock = Callable[[], datetime]


def history_entry(
    action: str, actor: Actor, now: datetime, reason: str, **extra: Any
) -> dict[str, Any]:
    """Who did what, when and why: the procedure's history, for changes that have no event."""
    return {
        "action": action,
        "by": actor.id,
        "role": actor.role,
        "at": now,
        "reason": reason,
        **extra,
    }


def invalid(error: ValidationError, kind: type[CatalogError], detail: str) -> CatalogError:
    """A domain model refused its data: say so in Vietnamese, list the fields."""
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "code": e["type"], "message": e["msg"]}
        for e in error.errors()
    ]
    return kind(detail, errors=errors)
