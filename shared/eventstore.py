"""Configuration of `eventsourcing` applications: SQLite by default, PostgreSQL when asked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse


def eventstore_env(
    kind: str,
    *,
    sqlite_path: Path | None = None,
    postgres_dsn: str | None = None,
    postgres_schema: str = "",
) -> dict[str, str]:
    """The environment an ``eventsourcing.application.Application`` is built from."""
    if kind == "sqlite":
        if sqlite_path is None:
            raise ValueError("sqlite event store needs a file path")
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if kind == "postgres":
        if not postgres_dsn:
            raise ValueError("postgres event store needs a DSN")
        url = urlparse(postgres_dsn)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_LOCK_TIMEOUT": "5",
        }
        if postgres_schema:
            env["POSTGRES_SCHEMA"] = postgres_schema
        return env
    raise ValueError(f"unknown event store kind {kind!r}: use sqlite or postgres")
