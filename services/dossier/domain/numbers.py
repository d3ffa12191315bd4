"""Numbers a dossier may record: finite, and integers within ±(2^53 - 1).

JSON reads ``1e999`` as infinity, which no store, hash or answer can carry, and JSON
(like JSON Schema) sets integers no size limit; ±(2^53 - 1) is the range every JSON
reader (the portal's browser, PostgreSQL's JSONB, the national systems) holds exactly
(I-JSON, RFC 7493). The form and the approver's result are both checked against it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

MAX_INTEGER = 2**53 - 1
NOT_FINITE = "Giá trị số không hợp lệ."
TOO_LARGE = "Số vượt quá giới hạn cho phép."


def unsound_numbers(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(dotted path, message) of every number in ``value`` no dossier may record."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from unsound_numbers(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsound_numbers(item, (*path, str(index)))
    elif isinstance(value, float) and not math.isfinite(value):
        yield ".".join(path), NOT_FINITE
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        yield ".".join(path), TOO_LARGE
