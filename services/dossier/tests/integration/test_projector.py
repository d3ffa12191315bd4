"""The projector on PostgreSQL: a batch's rows and its tracking position commit together
(a failure mid-batch leaves neither), and two projectors at once never project a
notification twice (the second waits on the tracking row)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from services.dossier.adapters import projector as projector_module
from services.dossier.adapters.projector import Projector
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.procedure import ProcedureVersion
from shared.events.envelope import Actor
from shared.eventstore import eventstore_env
from shared.pg.migrate import migrate
from shared.pg.pools import open_pool
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
# no required documents: a draft submits at once
PROCEDURE = ProcedureVersion(
    code="1.001193",
    version=1,
    name="Đăng ký khai sinh",
    service_level=3,
    agency_codes=("NB.HOALU",),
    time_limit_days=3,
)


@pytest.fixture
def app(engines: Engines, run_id: str) -> Iterator[DossierApplication]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    dossiers = DossierApplication(
        env=eventstore_env("postgres", postgres_dsn=engines.postgres_dsn, postgres_schema=run_id),
        procedures=InMemoryProcedures({(PROCEDURE.code, 1): PROCEDURE}),
    )
    yield dossiers
    dossiers.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _file(app: DossierApplication, count: int) -> None:
    for n in range(count):
        actor = Actor(id=f"citizen-{n}", role="citizen")
        dossier_id = app.start_draft(
            actor, procedure_code="1.001193", agency_code="NB.HOALU", form={"ho_ten": f"Lê Thị {n}"}
        )
        app.submit(dossier_id, actor)


def _listed(pool: Any) -> dict[str, int]:
    with pool.connection() as conn:
        rows = conn.execute("SELECT id, version FROM dossier_list").fetchall()
    return {r["id"]: r["version"] for r in rows}


def test_rows_and_position_commit_together(
    app: DossierApplication, engines: Engines, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = open_pool(engines.postgres_dsn, run_id, max_size=2)
    try:
        _file(app, 3)
        projector = Projector(app, pool)
        real_write = projector_module.write

        def write_then_fail(conn: Any, rows: Any) -> int:
            real_write(conn, rows)
            raise RuntimeError("the worker dies after writing the rows")

        monkeypatch.setattr(projector_module, "write", write_then_fail)
        with pytest.raises(RuntimeError):
            projector.run_once()
        assert projector.position() == 0 and _listed(pool) == {}  # neither

        monkeypatch.setattr(projector_module, "write", real_write)
        last = app.recorder.max_notification_id()
        assert projector.run_once() == last and projector.position() == last
        assert sorted(_listed(pool).values()) == [2, 2, 2]  # created, submitted
    finally:
        pool.close()


def test_two_projectors_at_once_read_each_notification_once(
    app: DossierApplication, engines: Engines, run_id: str
) -> None:
    pool = open_pool(engines.postgres_dsn, run_id, max_size=4)
    try:
        _file(app, 6)
        total = app.recorder.max_notification_id() or 0
        read: list[int] = []
        projectors = [Projector(app, pool, batch_size=4) for _ in range(2)]

        def drain(projector: Projector) -> None:
            while count := projector.run_once():
                read.append(count)

        threads = [threading.Thread(target=drain, args=(p,)) for p in projectors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sum(read) == total  # no notification projected twice, none skipped
        assert projectors[0].position() == total and len(_listed(pool)) == 6
    finally:
        pool.close()
