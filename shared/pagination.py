"""The keyset cursor of every list: where the next page starts, opaque to callers.

A cursor is the url-safe base64 (unpadded) of the JSON pair ``[time, id]`` of the last
row shown, the time in ISO-8601 UTC: a page seeks ``(time, id) < cursor`` (or ``>``) on
the list's index. :func:`decode_cursor` refuses anything else with :class:`CursorError`,
which each service maps to its own problem+json refusal. Cursors live as long as a
listing, so a change of format only sends a client back to the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime


class CursorError(ValueError):
    """Not one of our cursors: tampered, truncated, or of another format."""


def encode_cursor(at: datetime, row_id: str) -> str:
    if at.tzinfo is None:
        raise ValueError("a cursor's time must carry its offset")
    pair = [at.astimezone(UTC).isoformat(), str(row_id)]
    raw = json.dumps(pair, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (time in UTC, id) of ``cursor``; :class:`CursorError` if it is not one."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        value, row_id = json.loads(raw)
        if not isinstance(value, str) or not isinstance(row_id, str):
            raise TypeError("not a [time, id] pair")
        at = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error) as error:  # json and unicode: ValueError
        raise CursorError(str(error)) from None
    if at.tzinfo is None:
        raise CursorError("a cursor's time carries its offset")
    return at.astimezone(UTC), row_id
