from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.support.engines import Engines


@pytest.fixture
def event_store_env(engines: Engines, run_id: str) -> Iterator[dict[str, str]]:
    """The dossier service's schema (event store, read models, copies of other services'
    data) for this test: created by the service's migrations, dropped at the end."""
    yield {"MOTCUA_DOSSIER_POSTGRES_SCHEMA": run_id}
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')
