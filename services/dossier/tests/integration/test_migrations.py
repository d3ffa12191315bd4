"""An empty schema migrates to head, and head is what the code declares."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from services.dossier.adapters.tables import MIGRATIONS, metadata
from shared.pg.migrate import differences, migrate
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def test_empty_schema_migrates_to_head(engines: Engines, schema: str) -> None:
    migrate(engines.postgres_dsn, schema, MIGRATIONS, metadata)
    assert differences(engines.postgres_dsn, schema, metadata) == []
    migrate(engines.postgres_dsn, schema, MIGRATIONS, metadata)  # again: nothing to do
    assert differences(engines.postgres_dsn, schema, metadata) == []
