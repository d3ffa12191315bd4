from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.engines import Engines


@pytest.fixture(params=["sqlite", "postgres"])
def event_store_env(request: pytest.FixtureRequest, engines: Engines, run_id: str,
                    tmp_path: Path) -> Iterator[dict[str, str]]:
    """Dossier event store settings for both kinds the suite runs on."""
    if request.param == "sqlite":
        yield {"MOTCUA_DOSSIER_EVENT_STORE": "sqlite",
               "MOTCUA_DOSSIER_SQLITE_PATH": str(tmp_path / "dossier-events.db")}
        return
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{run_id}"')
    yield {"MOTCUA_DOSSIER_EVENT_STORE": "postgres", "MOTCUA_DOSSIER_POSTGRES_SCHEMA": run_id}
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{run_id}" CASCADE')
