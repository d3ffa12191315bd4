"""The hash chain over a dossier's events.

Each event carries ``prev_hash``: the sha256 of its predecessor's canonical
JSON (that event's type, id, version, time and data, its own ``prev_hash``
included). The first event's predecessor is the all-zero genesis hash. Any
change to a stored event changes its hash, so the next event's ``prev_hash``
no longer matches; the head hash is also kept outside the store (published
with every event), so even the last event is covered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from typing_extensions import TypedDict

GENESIS = "0" * 64
_SKIP = {"originator_topic"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(event: Any) -> bytes:
    content = {k: v for k, v in vars(event).items() if k not in _SKIP}
    content["type"] = type(event).__name__
    content.setdefault("prev_hash", GENESIS)
    return json.dumps(
        _plain(content), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def event_hash(event: Any) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


class ChainSummary(TypedDict):
    valid: bool
    events: int
    head: str
    broken_at: int | None


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    events: int
    head: str
    broken_at: int | None = None  # version of the first event whose prev_hash does not match

    def as_dict(self) -> ChainSummary:
        return {
            "valid": self.valid,
            "events": self.events,
            "head": self.head,
            "broken_at": self.broken_at,
        }


def verify(events: Iterable[Any], expected_head: str | None = None) -> ChainReport:
    """Check every link; ``expected_head`` (kept elsewhere) also covers the last event."""
    previous = GENESIS
    count = 0
    for count, event in enumerate(events, start=1):
        if getattr(event, "prev_hash", GENESIS) != previous:
            return ChainReport(False, count, previous, event.originator_version)
        previous = event_hash(event)
    if expected_head is not None and expected_head != previous:
        return ChainReport(False, count, previous, count)
    return ChainReport(True, count, previous)
