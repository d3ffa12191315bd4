"""Procedures in PostgreSQL: one row per procedure code (its draft, its state and the
listing columns of its published version), one row per published version (immutable
content, JSONB), an audit trail of every change.

Every write is guarded by what the writer read (``seq``, the number of events so far,
and the draft's revision): of two writers that read the same row, the second's
``UPDATE`` matches nothing once the first commits, and the use case answers 409. A
publication or withdrawal and its event commit in one transaction (the outbox).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.catalog.adapters.pg import Doc, Pool, jsonb
from shared.events.envelope import IntegrationEvent
from shared.pg.outbox import record_events

_PROCEDURE = (
    "SELECT code, seq, status, draft, draft_revision, published_revision,"
    " current_version FROM procedures WHERE code = %s"
)
_WITH_VERSION = (
    "SELECT p.code, p.status, p.current_version, v.version, v.published_at, v.withdrawn_at,"
    " v.content FROM procedures p LEFT JOIN procedure_versions v"
    " ON v.code = p.code AND v.version = coalesce(%s, p.current_version) WHERE p.code = %s"
)
_PUBLISH = """
UPDATE procedures SET
  seq = seq + 1, status = 'published', current_version = %(version)s,
  published_revision = %(revision)s, updated_at = %(now)s,
  card = %(card)s, field_code = %(field_code)s, service_level = %(service_level)s,
  agency_codes = %(agency_codes)s,
  s_name = ' ' || search_words(%(name)s) || ' ',
  s_keywords = ' ' || array_to_string(
      ARRAY(SELECT search_words(k) FROM unnest(%(keywords)s::text[]) AS k), ' , ') || ' ',
  s_accented = %(accented)s,
  name_words = cardinality(string_to_array(search_words(%(name)s), ' ')),
  s_document = to_tsvector('simple', search_words(concat_ws(
      ' ', %(name)s, array_to_string(%(keywords)s::text[], ' '), %(code)s)))
WHERE code = %(code)s AND seq = %(seq)s AND draft_revision = %(revision)s
"""


async def _history(conn: Any, code: str, entry: Doc) -> None:
    await conn.execute(
        "INSERT INTO procedure_history (code, at, entry) VALUES (%s, %s, %s)",
        (code, entry["at"], jsonb(entry)),
    )


class ProcedureStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def get(self, code: str) -> Doc | None:
        async with self.pool.connection() as conn:
            return await (await conn.execute(_PROCEDURE, (code,))).fetchone()

    async def get_with_version(self, code: str, version: int | None) -> Doc | None:
        """The procedure and one published version (the current one by default) as
        ``snapshot``, None when it has no such version."""
        async with self.pool.connection() as conn:
            row = await (await conn.execute(_WITH_VERSION, (version, code))).fetchone()
        if row is None:
            return None
        snapshot = {
            key: row.pop(key) for key in ("version", "published_at", "withdrawn_at", "content")
        }
        return {**row, "snapshot": None if snapshot["version"] is None else snapshot}

    async def create(self, code: str, draft: Doc, history: Doc, now: datetime) -> bool:
        """False when the code is taken."""
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "INSERT INTO procedures (code, seq, status, draft, draft_revision,"
                " published_revision, current_version, created_at, updated_at)"
                " VALUES (%s, 0, 'draft', %s, 1, 0, 0, %s, %s) ON CONFLICT DO NOTHING",
                (code, jsonb(draft), now, now),
            )
            if cur.rowcount != 1:
                return False
            await _history(conn, code, history)
        return True

    async def save_draft(
        self, code: str, revision: int | None, draft: Doc, history: Doc, now: datetime
    ) -> int | None:
        """The draft's new revision, None if ``revision`` is no longer the draft's (without
        one, the last save wins); its audit entry records the revision."""
        guard = "" if revision is None else " AND draft_revision = %(revision)s"
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "WITH saved AS (UPDATE procedures SET draft = %(draft)s,"
                    " draft_revision = draft_revision + 1, updated_at = %(now)s"
                    " WHERE code = %(code)s" + guard + " RETURNING draft_revision)"
                    " INSERT INTO procedure_history (code, at, entry)"
                    " SELECT %(code)s, %(now)s, %(entry)s::jsonb"
                    " || jsonb_build_object('revision', draft_revision) FROM saved"
                    " RETURNING (entry ->> 'revision')::int AS revision",
                    {
                        "draft": jsonb(draft),
                        "now": now,
                        "code": code,
                        "revision": revision,
                        "entry": jsonb(history),
                    },
                )
            ).fetchone()
        return None if row is None else row["revision"]

    async def publish(
        self,
        code: str,
        seq: int,
        revision: int,
        snapshot: Doc,
        listing: Doc,
        history: Doc,
        event: IntegrationEvent,
        now: datetime,
    ) -> bool:
        values = {
            **listing,
            "card": jsonb(listing["card"]),
            "code": code,
            "seq": seq,
            "revision": revision,
            "version": snapshot["version"],
            "now": now,
        }
        async with self.pool.connection() as conn, conn.transaction():
            if (await conn.execute(_PUBLISH, values)).rowcount != 1:
                return False
            await conn.execute(
                "INSERT INTO procedure_versions (code, version, published_at, published_by,"
                " content) VALUES (%s, %s, %s, %s, %s)",
                (
                    code,
                    snapshot["version"],
                    snapshot["published_at"],
                    snapshot["published_by"],
                    jsonb(snapshot["content"]),
                ),
            )
            await _history(conn, code, history)
            await record_events(conn, [event])
        return True

    async def withdraw(
        self,
        code: str,
        seq: int,
        version: int,
        history: Doc,
        event: IntegrationEvent,
        now: datetime,
    ) -> bool:
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "UPDATE procedures SET seq = seq + 1, status = 'withdrawn', updated_at = %s"
                " WHERE code = %s AND seq = %s AND status = 'published'",
                (now, code, seq),
            )
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE procedure_versions SET withdrawn_at = %s WHERE code = %s AND version = %s",
                (now, code, version),
            )
            await _history(conn, code, history)
            await record_events(conn, [event])
        return True


class TemplateStore:
    """Template files, content-addressed: the key is the sha256 of the bytes (≤ 5 MB)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def put(self, sha256: str, content: bytes, content_type: str, now: datetime) -> None:
        async with self.pool.connection() as conn:  # the same bytes may be there already
            await conn.execute(
                "INSERT INTO templates (sha256, content, content_type, size, created_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (sha256, content, content_type, len(content), now),
            )

    async def get(self, sha256: str) -> bytes | None:
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute("SELECT content FROM templates WHERE sha256 = %s", (sha256,))
            ).fetchone()
        return None if row is None else bytes(row["content"])
