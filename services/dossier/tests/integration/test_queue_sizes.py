"""The officer's five queue counts read from ``queue_sizes`` (kept by triggers on
``dossier_queue``) equal counting every queue row of the agency, whatever the rows
went through (stage moves, new appointments, transfers, deletions, updates, a rebuild)
and whatever the moment: the old query is the oracle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.dossier.adapters.projector import Projector, copy, write
from services.dossier.adapters.queries import COUNTS, QUEUES, counts_params
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.tests.integration.test_projector import PROCEDURE, _file
from shared.eventstore import eventstore_env
from shared.pg.migrate import migrate
from shared.pg.pools import open_pool
from shared.vn.time import VN_TZ
from shared.workdays import WorkCalendar
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

# counting every row of the agency (what COUNTS replaced)
ORACLE = """
SELECT count(*) FILTER (WHERE stage = 'to_receive') AS to_receive,
       count(*) FILTER (WHERE stage = 'working') AS in_processing,
       count(*) FILTER (WHERE stage = 'working' AND appointment_at >= %(now)s
                        AND appointment_at <= %(soon)s) AS due_soon,
       count(*) FILTER (WHERE stage = 'working' AND appointment_at < %(now)s) AS overdue,
       count(*) FILTER (WHERE stage = 'waiting') AS waiting_for_citizen
FROM dossier_queue WHERE agency = %(agency)s
"""
FRESH = (
    "SELECT agency, stage, (appointment_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS due_day,"
    " count(*) AS n FROM dossier_queue GROUP BY 1, 2, 3"
)
AGENCIES = ("NB.HOALU", "NB.STP", "NB.YENKHANH")
# a Thursday's local midnight: a weekend and the partial days around it are in reach
BASE = datetime(2026, 12, 3, tzinfo=VN_TZ)
CALENDAR = WorkCalendar()
STATUSES = ("submitted", "accepted", "in_processing", "supplement_requested", "completed")
# quarter hours from 4 days before BASE to 6 after, local midnights often: the partial
# days' edges, and appointments at the very instant of ``now`` or of its limit
moments = st.integers(-4, 6).map(lambda d: BASE + timedelta(days=d)) | st.integers(
    -4 * 96, 6 * 96
).map(lambda q: BASE + timedelta(minutes=15 * q))


@pytest.fixture
def pool(engines: Engines, run_id: str) -> Iterator[Any]:
    migrate(engines.postgres_dsn, run_id, MIGRATIONS, metadata)
    opened = open_pool(engines.postgres_dsn, run_id, max_size=2)
    yield opened
    opened.close()
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _entry(status: str, agencies: list[str], appointment: datetime | None) -> dict[str, Any]:
    return {
        "owner_id": "citizen-1",
        "code": None,
        "status": status,
        "status_label": status,
        "national_status_code": None,
        "procedure_code": "1.001193",
        "procedure_name": None,
        "agency_code": agencies[0],
        "handling_agency": None,
        "agencies": agencies,
        "assignee": None,
        "applicant": None,
        "search": "",
        "created_at": BASE,
        "updated_at": BASE,
        "submitted_at": BASE,
        "accepted_at": None,
        "appointment_at": appointment,
        "completed_at": None,
        "clock_paused": False,
        "fee_due": None,
    }


def _assert_exact(conn: Any, nows: list[datetime]) -> None:
    kept = conn.execute("SELECT agency, stage, due_day, n FROM queue_sizes").fetchall()
    key = lambda r: (r["agency"], r["stage"], str(r["due_day"]))  # noqa: E731
    assert sorted(kept, key=key) == sorted(conn.execute(FRESH).fetchall(), key=key)
    for now in nows:
        for agency in AGENCIES:
            params = counts_params(agency, now, CALENDAR)
            found = conn.execute(COUNTS, params).fetchone()
            wanted = conn.execute(ORACLE, params).fetchone()
            assert {q: int(found[q]) for q in QUEUES} == dict(wanted), (agency, now)


changes = st.lists(
    st.tuples(
        st.integers(0, 11),  # which dossier
        st.sampled_from(STATUSES),
        st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3),
        st.none() | moments,
        st.sampled_from(("write", "write", "write", "shift", "drop")),
    ),
    max_size=40,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=changes, nows=st.lists(moments, min_size=1, max_size=4))
def test_counts_equal_counting_every_row(pool: Any, changes: Any, nows: list[datetime]) -> None:
    latest: dict[str, tuple[str, int, dict[str, Any]]] = {}
    with pool.connection() as conn, conn.transaction(force_rollback=True):
        for n, (which, status, agencies, appointment, how) in enumerate(changes):
            key = f"d{which}"
            if how == "shift":  # an UPDATE, which the projector does not do (yet)
                conn.execute(
                    "UPDATE dossier_queue SET appointment_at = appointment_at + interval '9 hours',"
                    " stage = 'working' WHERE id = %s",
                    (key,),
                )
            elif how == "drop":
                conn.execute("DELETE FROM dossier_queue WHERE id = %s", (key,))
            else:  # a stage move, an extension, a transfer: the projector's own write
                latest[key] = (key, n + 1, _entry(status, sorted(set(agencies)), appointment))
                write(conn, [latest[key]])
            _assert_exact(conn, nows)
        # the rebuild's path: emptied tables, then COPY
        for table in ("dossier_queue", "dossier_list"):
            conn.execute(f"DELETE FROM {table}")
        assert conn.execute("SELECT count(*) AS n FROM queue_sizes").fetchone()["n"] == 0
        copy(conn, latest.values())
        _assert_exact(conn, nows)


def test_rebuild_leaves_the_sizes_of_a_fresh_count(
    engines: Engines, run_id: str, pool: Any
) -> None:
    app = DossierApplication(
        env=eventstore_env("postgres", postgres_dsn=engines.postgres_dsn, postgres_schema=run_id),
        procedures=InMemoryProcedures({(PROCEDURE.code, 1): PROCEDURE}),
    )
    try:
        _file(app, 5)
        projector = Projector(app, pool)
        projector.run_once()
        with pool.connection() as conn:
            found = conn.execute(COUNTS, counts_params("NB.HOALU", BASE, CALENDAR)).fetchone()
            assert found["to_receive"] == 5
            conn.execute("UPDATE queue_sizes SET n = 99")  # a drift the rebuild must not keep
        projector.rebuild()
        with pool.connection() as conn:
            _assert_exact(conn, [BASE, datetime.now(VN_TZ)])
            assert conn.execute("SELECT sum(n) AS n FROM queue_sizes").fetchone()["n"] == 5
    finally:
        app.close()
