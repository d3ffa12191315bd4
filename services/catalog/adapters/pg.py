"""What the catalog's PostgreSQL adapters share: JSONB values and the pool type."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

Pool = AsyncConnectionPool[Any]
Doc = dict[str, Any]


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default)


def jsonb(value: Any) -> Jsonb:
    """A JSONB parameter; datetimes (audit entries) as ISO 8601."""
    return Jsonb(value, dumps=_dumps)
