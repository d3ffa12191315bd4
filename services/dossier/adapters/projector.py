"""Follows the dossier application's notification log into the read-model tables.

Exactly-once: a batch's view updates and the projector's position (its row in
``projection_tracking``) commit in ONE transaction; the row is locked first, so a
second worker waits and then carries on from the committed position. Every row is
also guarded by the dossier's version, so a rebuild racing the live projector
cannot write an older state over a newer one. Synchronous (the event store is);
the worker runs it in a thread.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic
from psycopg import sql
from psycopg_pool import ConnectionPool

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.readmodels import STAGES, list_entry
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.filing import Filing
from shared.pg.effects import upsert_versioned_sql

log = logging.getLogger(__name__)
NAME = "dossier-read-models"
Conn = psycopg.Connection[Any]
Rows = tuple[str, int, dict[str, Any]]  # id, version, list entry

LIST_COLUMNS = [
    "owner_id",
    "code",
    "status",
    "status_label",
    "national_status_code",
    "procedure_code",
    "procedure_name",
    "agency_code",
    "handling_agency",
    "agencies",
    "assignee",
    "applicant",
    "search",
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_at",
    "appointment_at",
    "completed_at",
    "clock_paused",
    "fee_due",
]
# rendered once: composing the statement again for every row costs more than running it
PUT_LIST = upsert_versioned_sql("dossier_list", "id", LIST_COLUMNS).as_string()
# the queue rows are a function of the list row as it stands (whichever write won)
DROP_QUEUE = "DELETE FROM dossier_queue WHERE id = %s"
_STAGE = "CASE status " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STAGES.items()) + " END"
FILL_QUEUE = (
    "INSERT INTO dossier_queue (agency, id, stage, assignee, appointment_at, submitted_at,"
    f" updated_at) SELECT DISTINCT unnest(agencies), id, {_STAGE}, assignee, appointment_at,"
    " submitted_at, updated_at FROM dossier_list WHERE id = %s AND status = ANY(%s)"
)


class Projector:
    def __init__(
        self, app: DossierApplication, pool: ConnectionPool[Any], batch_size: int = 500
    ) -> None:
        self.app = app
        self.pool = pool
        self.batch_size = batch_size

    def position(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = %s", (NAME,)
            ).fetchone()
        return int(row["position"]) if row else 0

    def run_once(self) -> int:
        """Project the next batch in one transaction; returns how many notifications it
        read."""
        with self.pool.connection() as conn, conn.transaction():
            start = _lock_position(conn)
            notifications = self.app.recorder.select_notifications(
                start, self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            touched: dict[UUID, int] = {}
            for notification in notifications:
                if _is_filing(notification.topic):
                    touched[notification.originator_id] = max(  # type: ignore[index]
                        touched.get(notification.originator_id, 0),  # type: ignore[arg-type]
                        notification.originator_version,
                    )
            write(conn, self._rows(conn, touched))
            _set_position(conn, notifications[-1].id)
        return len(notifications)

    def _rows(
        self, conn: Conn, versions: Mapping[UUID, int | None], chunk: int = 500
    ) -> Iterable[Rows]:
        """The rows of these dossiers at these versions (None: latest), their events read
        ``chunk`` dossiers per query from the event store's table (in this database)."""
        recorder: Any = self.app.recorder
        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        query = sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} WHERE"
            " originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(table)
        ids = list(versions)
        for start in range(0, len(ids), chunk):
            events: dict[UUID, list[Any]] = {}
            for row in conn.execute(query, (ids[start : start + chunk],)):
                limit = versions[row["originator_id"]]
                if limit is None or row["originator_version"] <= limit:
                    events.setdefault(row["originator_id"], []).append(
                        self.app.mapper.to_domain_event(
                            StoredEvent(
                                originator_id=row["originator_id"],
                                originator_version=row["originator_version"],
                                topic=row["topic"],
                                state=bytes(row["state"]),
                            )
                        )
                    )
            for dossier_id, found in events.items():
                projected = _project(dossier_id, found)
                if projected is not None:
                    yield projected

    def rebuild(self) -> int:
        """Empty the read models and project every dossier from the start, in one
        transaction (readers see the old rows until it commits; the live projector
        waits on the tracking row), then carry on live. Returns the last position."""
        with self.pool.connection() as conn, conn.transaction():
            _lock_position(conn)
            # queue_sizes last: the COPY's triggers count it again from zero, so a rebuild
            # also mends sizes that drifted from the queue
            for table in ("dossier_queue", "dossier_list", "queue_sizes"):
                conn.execute(f"DELETE FROM {table}")  # not TRUNCATE: readers are not blocked
            last = self.app.recorder.max_notification_id() or 0
            copy(conn, self._every_dossier(conn, last))
            _set_position(conn, last)
        self.run_once()  # whatever arrived meanwhile
        return last

    def _every_dossier(self, conn: Conn, last: int) -> Iterable[Rows]:
        """Every dossier's rows as of notification ``last``: one pass over the event
        store's table in (originator, version) order (its primary key), streamed by a
        server-side cursor, each event decoded once."""
        recorder: Any = self.app.recorder
        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        topics = [
            r["topic"]
            for r in conn.execute(sql.SQL("SELECT DISTINCT topic FROM {}").format(table))
            if _is_filing(r["topic"])
        ]
        query = sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} WHERE"
            " topic = ANY(%s) AND notification_id <= %s"
            " ORDER BY originator_id, originator_version"
        ).format(table)
        current: UUID | None = None
        events: list[Any] = []
        with conn.cursor(name="dossier-rebuild") as cur:
            cur.itersize = 5000
            cur.execute(query, (topics, last))
            for row in cur:
                if row["originator_id"] != current:
                    if current is not None and (done := _project(current, events)):
                        yield done
                    current, events = row["originator_id"], []
                events.append(
                    self.app.mapper.to_domain_event(
                        StoredEvent(
                            originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"],
                            state=bytes(row["state"]),
                        )
                    )
                )
        if current is not None and (done := _project(current, events)):
            yield done


@functools.cache
def _is_filing(topic: str) -> bool:
    """Whether events of this topic belong to a dossier (not, say, its code index)."""
    found = resolve_topic(topic)
    return isinstance(found, type) and issubclass(found, Filing.Event)


def _project(dossier_id: UUID, events: list[Any]) -> Rows | None:
    dossier: Dossier | None = None
    for event in events:
        dossier = event.mutate(dossier)
    if dossier is None:
        return None
    return str(dossier_id), dossier.version, list_entry(dossier)


def write(conn: Conn, rows: Iterable[Rows], chunk: int = 200) -> int:
    """Version-guarded upserts of list and queue rows, pipelined in chunks."""
    written = 0
    pending: list[Rows] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= chunk:
            written += _write(conn, pending)
            pending = []
    return written + _write(conn, pending)


def _write(conn: Conn, rows: list[Rows]) -> int:
    if not rows:
        return 0
    with conn.pipeline(), conn.cursor() as cur:
        for key, version, entry in rows:
            cur.execute(PUT_LIST, [key, version, *(entry[c] for c in LIST_COLUMNS)])
            cur.execute(DROP_QUEUE, (key,))
            cur.execute(FILL_QUEUE, (key, list(STAGES)))
    return len(rows)


def copy(conn: Conn, rows: Iterable[Rows], chunk: int = 2000) -> int:
    """Into emptied tables (a rebuild, holding the tracking row): ``COPY``, no upserts;
    one table at a time (a connection runs one COPY at once), ``chunk`` dossiers a round."""
    written = 0
    pending: list[Rows] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= chunk:
            written += _copy(conn, pending)
            pending = []
    return written + _copy(conn, pending)


def _copy(conn: Conn, rows: list[Rows]) -> int:
    columns = ", ".join(LIST_COLUMNS)
    with conn.cursor() as cur:
        with cur.copy(f"COPY dossier_list (id, version, {columns}) FROM STDIN") as out:
            for key, version, entry in rows:
                out.write_row([key, version, *(entry[c] for c in LIST_COLUMNS)])
        with cur.copy(
            "COPY dossier_queue (agency, id, stage, assignee, appointment_at,"
            " submitted_at, updated_at) FROM STDIN"
        ) as out:
            for key, _, entry in rows:
                stage = STAGES.get(entry["status"])
                if stage is None:
                    continue
                for agency in dict.fromkeys(entry["agencies"]):
                    out.write_row(
                        [
                            agency,
                            key,
                            stage,
                            entry["assignee"],
                            entry["appointment_at"],
                            entry["submitted_at"],
                            entry["updated_at"],
                        ]
                    )
    return len(rows)


def _lock_position(conn: Conn) -> int:
    conn.execute(
        "INSERT INTO projection_tracking (name, position) VALUES (%s, 0)"
        " ON CONFLICT (name) DO NOTHING",
        (NAME,),
    )
    row = conn.execute(
        "SELECT position FROM projection_tracking WHERE name = %s FOR UPDATE", (NAME,)
    ).fetchone()
    return int(row["position"]) if row else 0


def _set_position(conn: Conn, position: int) -> None:
    conn.execute("UPDATE projection_tracking SET position = %s WHERE name = %s", (position, NAME))
