"""Every service's Alembic history: an empty schema migrates to head (twice: the second
time changes nothing), and head is what the service's tables declare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import MetaData

from services.catalog.adapters import tables as catalog
from services.dossier.adapters import tables as dossier
from services.gateway.adapters import tables as gateway
from services.gateway.migrations import MIGRATIONS_DIR as GATEWAY_MIGRATIONS
from services.identity.adapters import tables as identity
from services.identity.bootstrap import MIGRATIONS as IDENTITY_MIGRATIONS
from services.notify.adapters import tables as notify
from services.notify.bootstrap import MIGRATIONS as NOTIFY_MIGRATIONS
from services.payment.adapters import tables as payment
from services.payment.migrations import MIGRATIONS_DIR as PAYMENT_MIGRATIONS
from shared.pg.migrate import differences, migrate
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

HISTORIES: dict[str, tuple[Path, MetaData]] = {
    "identity": (IDENTITY_MIGRATIONS, identity.metadata),
    "catalog": (catalog.MIGRATIONS_DIR, catalog.metadata),
    "dossier": (dossier.MIGRATIONS, dossier.metadata),
    "payment": (PAYMENT_MIGRATIONS, payment.metadata),
    "notify": (NOTIFY_MIGRATIONS, notify.metadata),
    "gateway": (GATEWAY_MIGRATIONS, gateway.metadata),
}


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


@pytest.mark.parametrize("service", list(HISTORIES))
def test_an_empty_schema_migrates_to_head_which_matches_the_tables(
    engines: Engines, schema: str, service: str
) -> None:
    migrations, metadata = HISTORIES[service]
    migrate(engines.postgres_dsn, schema, migrations, metadata)
    migrate(engines.postgres_dsn, schema, migrations, metadata)  # at head: nothing to do
    assert differences(engines.postgres_dsn, schema, metadata) == []
    assert metadata.tables, f"{service} declares no table"
