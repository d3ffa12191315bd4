"""Published procedures, agencies, the working-day calendar, wallet references and
organisation profiles, kept in the dossier's own schema by the worker
(:mod:`services.dossier.adapters.incoming`) and read here by the API, synchronously
(routes run in FastAPI's thread pool beside the synchronous event store). The dossier
service keeps working while catalog is down: it never calls catalog.

Procedure versions are cached by (code, version): a published version does not change
except by its withdrawal, and the worker ``NOTIFY``s :data:`CHANNEL` with the code when
it writes one, which :meth:`PgProcedures.forget` acts on. "The latest version of a code"
is cached for a few seconds only, and exact versions for a minute, in case a
notification was lost with the listening connection.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg_pool import ConnectionPool

from services.dossier.domain.procedure import ProcedureVersion
from shared.pg.calendar import TABLE as CALENDAR
from shared.pg.listen import Listener
from shared.workdays import WorkCalendar, calendar_from

CHANNEL = "dossier_procedures"
PROFILE_FIELDS = ("tax_code", "name", "address", "representative")
Key = tuple[str, int | None]


class PgProcedures:
    def __init__(
        self, pool: ConnectionPool[Any], cache_seconds: float = 5.0, exact_seconds: float = 60.0
    ) -> None:
        self.pool = pool
        self.cache_seconds = cache_seconds
        self.exact_seconds = exact_seconds
        self._procedures: dict[Key, tuple[float, ProcedureVersion]] = {}
        self._calendar: tuple[float, WorkCalendar] | None = None

    def get(self, code: str, version: int | None = None) -> ProcedureVersion | None:
        key: Key = (code, version)
        cached = self._procedures.get(key)
        ttl = self.cache_seconds if version is None else self.exact_seconds
        if cached and time.monotonic() - cached[0] < ttl:
            return cached[1]
        found = self._load(code, version)
        if found is not None:  # an unknown code is asked again: it may be published soon
            entry = (time.monotonic(), found)
            self._procedures[key] = entry
            self._procedures[(code, found.version)] = entry  # the latest is also exact
        return found

    def _load(self, code: str, version: int | None) -> ProcedureVersion | None:
        query = "SELECT data FROM procedures WHERE code = %s AND NOT withdrawn AND data IS NOT NULL"
        params: list[Any] = [code]
        if version is not None:
            query += " AND procedure_version = %s"
            params.append(version)
        with self.pool.connection() as conn:
            row = conn.execute(
                query + " ORDER BY procedure_version DESC LIMIT 1", params
            ).fetchone()
        return ProcedureVersion.from_data(row["data"]) if row else None

    def forget(self, code: str) -> None:
        """A version of ``code`` was published or withdrawn: ask the store next time."""
        for key in [k for k in self._procedures if k[0] == code]:
            self._procedures.pop(key, None)

    def wallet_document(self, document_id: str) -> dict[str, Any] | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT id, account_id, type, number, issued_on, issuer, file"
                " FROM wallet_documents WHERE id = %s AND NOT removed",
                (document_id,),
            ).fetchone()
        return dict(row) if row else None

    def profile(self, account_id: str) -> dict[str, Any]:
        with self.pool.connection() as conn:
            row = (
                conn.execute(
                    "SELECT tax_code, name, address, representative FROM profiles WHERE id = %s",
                    (account_id,),
                ).fetchone()
                or {}
            )
        return {k: row[k] for k in PROFILE_FIELDS if row.get(k)}

    def agency_name(self, code: str) -> str:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT name FROM agencies WHERE id = %s", (code,)).fetchone()
        return str(row["name"]) if row and row.get("name") else code

    def calendar(self) -> WorkCalendar:
        cached = self._calendar
        if cached and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        with self.pool.connection() as conn:
            rows = conn.execute(f"SELECT year, days_off, working_days FROM {CALENDAR}").fetchall()
        calendar = calendar_from(rows)
        self._calendar = (time.monotonic(), calendar)
        return calendar


async def forget_published(listener: Listener, procedures: PgProcedures) -> None:
    """The worker wrote a version of these codes: their cached versions are dropped."""
    while True:
        for code in await listener.wait(30.0):
            procedures.forget(code)
