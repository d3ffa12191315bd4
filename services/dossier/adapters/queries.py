"""Reading the read models: a citizen's dossiers and an agency's work queues.

Lists are keyset-paginated ("seek method"): a page ends with ``next``, an opaque cursor
of its last row's sort key; ``after=<cursor>`` reads the following page from the index
at the cost of page 1, however deep. ``page`` without a cursor still works (OFFSET, for
links such as the portal's ``?trang=3``). Every list reads one index in its order:
a citizen's ``(owner_id, updated_at DESC, id DESC)``, a queue's ``(agency, stage,
<queue order>, id)`` on ``dossier_queue`` (one row per agency that sees a dossier in a
queue).
The sort columns are never null for the statuses of their queue (a dossier is
submitted, or accepted with an appointment, before it shows there).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from psycopg_pool import ConnectionPool

from services.dossier.application.readmodels import (
    ListedDossier,
    OwnDossiersPage,
    QueuePage,
    QueueSizes,
)
from services.dossier.application.views import local
from shared.errors import ProblemError
from shared.pagination import CursorError, decode_cursor, encode_cursor
from shared.vn.text import fold
from shared.vn.time import VN_TZ
from shared.workdays import WorkCalendar

QUEUES = ("to_receive", "in_processing", "due_soon", "overdue", "waiting_for_citizen")
_SHOWN = (
    "l.id, l.version, l.owner_id, l.code, l.status, l.status_label,"
    " l.national_status_code, l.procedure_code, l.procedure_name, l.agency_code,"
    " l.handling_agency, l.agencies, l.assignee, l.applicant, l.created_at,"
    " l.updated_at, l.submitted_at, l.accepted_at, l.appointment_at, l.completed_at,"
    " l.clock_paused, l.fee_due"
)


def _shown(row: dict[str, Any]) -> ListedDossier:
    doc = dict(row)
    doc["appointment_local"] = local(doc["appointment_at"])
    return cast(ListedDossier, doc)  # the columns of _SHOWN


def _seek(cursor: str) -> tuple[datetime, str]:
    try:
        return decode_cursor(cursor)
    except CursorError as error:
        raise ProblemError(
            400,
            "bad-cursor",
            "Tham số phân trang không hợp lệ, vui lòng tải lại danh sách từ trang đầu.",
        ) from error


def queue_filter(queue: str, now: datetime, calendar: WorkCalendar) -> tuple[str, list[Any], str]:
    """One work queue's condition on ``dossier_queue q``, its parameters, and its sort
    column (due soon: within 2 working days)."""
    if queue == "to_receive":
        return "q.stage = 'to_receive'", [], "submitted_at"
    if queue == "in_processing":
        return "q.stage = 'working'", [], "appointment_at"
    if queue == "due_soon":
        limit = calendar.add_working_days(now, 2)
        return (
            "q.stage = 'working' AND q.appointment_at >= %s AND q.appointment_at <= %s",
            [now, limit],
            "appointment_at",
        )
    if queue == "overdue":
        return "q.stage = 'working' AND q.appointment_at < %s", [now], "appointment_at"
    if queue == "waiting_for_citizen":
        return "q.stage = 'waiting'", [], "updated_at"
    raise ValueError(queue)


# The agency's rows of ``queue_sizes`` (a few per stage and due day, whatever the load),
# plus exact counts from the queue index (agency, stage, appointment_at, id) for the two
# partial days only: today before now (overdue), today from now and the due-soon limit's
# day up to it (due soon). Equal to counting every queue row of the agency with FILTERs.
_EXACT = (
    "(SELECT count(*) FROM dossier_queue WHERE agency = %(agency)s AND stage = 'working'"
    " AND appointment_at >= {} AND appointment_at {})"
)
COUNTS = f"""
SELECT coalesce(sum(n) FILTER (WHERE stage = 'to_receive'), 0) AS to_receive,
       coalesce(sum(n) FILTER (WHERE stage = 'working'), 0) AS in_processing,
       coalesce(sum(n) FILTER (WHERE stage = 'working' AND due_day > %(today)s
                               AND due_day < %(last_day)s), 0)
         + {_EXACT.format("%(now)s", "< %(tomorrow)s")}
         + {_EXACT.format("%(last_start)s", "<= %(soon)s")} AS due_soon,
       coalesce(sum(n) FILTER (WHERE stage = 'working' AND due_day < %(today)s), 0)
         + {_EXACT.format("%(today_start)s", "< %(now)s")} AS overdue,
       coalesce(sum(n) FILTER (WHERE stage = 'waiting'), 0) AS waiting_for_citizen
FROM queue_sizes WHERE agency = %(agency)s
"""


def counts_params(agency: str, now: datetime, calendar: WorkCalendar) -> dict[str, Any]:
    """COUNTS' parameters: local days and their first instants (Asia/Ho_Chi_Minh). The
    due-soon limit is 2 working days on, so its day is never today's."""
    soon = calendar.add_working_days(now, 2)
    today, last_day = now.astimezone(VN_TZ).date(), soon.astimezone(VN_TZ).date()
    tomorrow = _start(today + timedelta(days=1))
    return {
        "agency": agency,
        "now": now,
        "soon": soon,
        "today": today,
        "last_day": last_day,
        "today_start": _start(today),
        "tomorrow": tomorrow,
        "last_start": _start(last_day),
    }


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), VN_TZ)


class ReadModels:
    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool

    def my_dossiers(
        self, owner_id: str, page: int, size: int, search: str = "", after: str | None = None
    ) -> OwnDossiersPage:
        where, params = "l.owner_id = %s", list[Any]([owner_id])
        if search:
            where += " AND l.search LIKE %s"
            params.append("%" + _like(fold(search)) + "%")
        total_sql = f"SELECT count(*) AS n FROM dossier_list l WHERE {where}"
        total_params = list(params)
        if after:
            value, row_id = _seek(after)
            where += " AND (l.updated_at, l.id) < (%s, %s)"
            params += [value, row_id]
        query = (
            f"SELECT {_SHOWN} FROM dossier_list l WHERE {where}"
            " ORDER BY l.updated_at DESC, l.id DESC"
        )
        with self.pool.connection() as conn:
            found = self._page(conn, query, params, page, size, after, "updated_at")
            total = conn.execute(total_sql, total_params).fetchone()
        # a citizen's own rows only: the count reads the owner index, bounded by them
        return {**found, "total": int(total["n"]) if total else 0}

    def queue(
        self,
        agency: str,
        queue: str,
        now: datetime,
        calendar: WorkCalendar,
        page: int,
        size: int,
        assignee: str | None = None,
        after: str | None = None,
    ) -> QueuePage:
        condition, extra, column = queue_filter(queue, now, calendar)
        where, params = f"q.agency = %s AND {condition}", [agency, *extra]
        if assignee is not None:
            where += " AND q.assignee = %s"
            params.append(assignee)
        if after:
            value, row_id = _seek(after)
            where += f" AND (q.{column}, q.id) > (%s, %s)"
            params += [value, row_id]
        query = (
            f"SELECT {_SHOWN} FROM dossier_queue q JOIN dossier_list l ON l.id = q.id"
            f" WHERE {where} ORDER BY q.{column}, q.id"
        )
        with self.pool.connection() as conn:
            return self._page(conn, query, params, page, size, after, column)

    def counts(self, agency: str, now: datetime, calendar: WorkCalendar) -> QueueSizes:
        """The five queue counts in one statement over the agency's few ``queue_sizes``
        rows."""
        with self.pool.connection() as conn:
            row = conn.execute(COUNTS, counts_params(agency, now, calendar)).fetchone()
        found = {q: int(row[q]) if row else 0 for q in QUEUES}
        return QueueSizes(
            to_receive=found["to_receive"],
            in_processing=found["in_processing"],
            due_soon=found["due_soon"],
            overdue=found["overdue"],
            waiting_for_citizen=found["waiting_for_citizen"],
        )

    @staticmethod
    def _page(
        conn: Any,
        query: str,
        params: list[Any],
        page: int,
        size: int,
        after: str | None,
        column: str,
    ) -> QueuePage:
        query += " LIMIT %s"
        params = [*params, size + 1]  # one more: is there a next page?
        if not after and page > 1:
            query += " OFFSET %s"
            params.append((page - 1) * size)
        rows = conn.execute(query, params).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        cursor = encode_cursor(rows[-1][column], rows[-1]["id"]) if more and rows else None
        return {"items": [_shown(r) for r in rows], "page": page, "size": size, "next": cursor}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
