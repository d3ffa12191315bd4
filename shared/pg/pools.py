"""Connection pools: the service's schema first on the search_path, rows as dicts.

``public`` stays on the path for the extensions (``unaccent``, ``pg_trgm``) that
the launcher creates there. Pools open lazily in the caller's event loop (async)
or at once (sync, for code beside the synchronous ``eventsourcing`` library).
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool


def connection_kwargs(schema: str) -> dict[str, Any]:
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"not a plain schema name: {schema!r}")
    return {"options": f"-c search_path={schema},public", "row_factory": dict_row}


async def open_async_pool(
    dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10, name: str | None = None
) -> AsyncConnectionPool[Any]:
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        dsn,
        kwargs=connection_kwargs(schema),
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        timeout=10.0,
    )
    await pool.open(wait=True, timeout=10.0)
    return pool


def open_pool(
    dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10, name: str | None = None
) -> ConnectionPool[Any]:
    pool: ConnectionPool[Any] = ConnectionPool(
        dsn,
        kwargs=connection_kwargs(schema),
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        timeout=10.0,
    )
    pool.open(wait=True, timeout=10.0)
    return pool
