"""Payment's schema: an empty one migrates to head, which is what the code declares."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from services.payment.adapters.tables import metadata
from services.payment.migrations import MIGRATIONS_DIR
from shared.pg.migrate import differences, migrate
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def test_an_empty_schema_migrates_to_head_which_matches_the_tables(
        engines: Engines, schema: str) -> None:
    migrate(engines.postgres_dsn, schema, MIGRATIONS_DIR, metadata)
    migrate(engines.postgres_dsn, schema, MIGRATIONS_DIR, metadata)  # at head: nothing to do
    assert differences(engines.postgres_dsn, schema, metadata) == []
