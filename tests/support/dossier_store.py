"""Reading the dossier service's tables in a test's schema (superuser DSN)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


def rows(
    dsn: str, schema: str, table: str, where: str = "TRUE", params: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    """``table``'s rows matching ``where`` (none if the schema is not migrated yet),
    ordered by their key's text."""
    query = sql.SQL("SELECT * FROM {}.{} WHERE {}").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(where)
    )
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        try:
            found = conn.execute(query, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []
    return sorted(found, key=lambda r: [str(v) for v in list(r.values())[:2]])
