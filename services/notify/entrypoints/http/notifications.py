"""The caller's inbox: list, mark read, live stream (SSE), email preferences.

Every query is by the caller's id on an index of ``notifications`` (see
adapters/tables.py): the list seeks by (``created_at``, ``id``) from the ``before``
cursor, the unread count reads the partial index of unread entries, and a live stream
reads again only when the hub says its user got something (adapters/live.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from services.notify.domain.kinds import KINDS
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
OVERLAP = timedelta(seconds=5)  # a stream re-reads this far back: commits land out of order
FIELDS = "id, kind, title, subject, code, event_type, read, created_at, recorded_at"


class Preferences(BaseModel):
    email: dict[str, bool] = Field(
        default_factory=dict, description="Email on/off per kind; in-app is always on."
    )


def public(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "kind": entry.get("kind"),
        "title": entry["title"],
        "dossier_id": entry.get("subject"),
        "code": entry.get("code"),
        "event_type": entry.get("event_type"),
        "read": entry["read"],
        "created_at": entry["created_at"].isoformat(),
    }


def _pool(request: Request) -> AsyncConnectionPool[Any]:
    pool: AsyncConnectionPool[Any] = request.app.state.pool
    return pool


def _cursor(entry: dict[str, Any]) -> str:
    raw = json.dumps([entry["created_at"].isoformat(), entry["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, entry_id = json.loads(raw)
        return datetime.fromisoformat(created_at), str(entry_id)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ProblemError(422, "invalid-cursor", "Tham số phân trang không hợp lệ.") from error


@router.get("")
async def list_notifications(
    request: Request,
    actor: CurrentActor,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        str | None, Query(max_length=400, description="`next` of the previous page.")
    ] = None,
) -> dict[str, Any]:
    where, params = "user_id = %(user)s", {"user": actor.id, "limit": limit + 1}
    if unread:
        where += " AND NOT read"
    if before:
        params["at"], params["id"] = _after(before)
        where += " AND (created_at, id) < (%(at)s, %(id)s)"
    async with _pool(request).connection() as conn:
        cur = await conn.execute(
            f"SELECT {FIELDS} FROM notifications WHERE {where}"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
            params,
        )
        rows = await cur.fetchall()
        counted = await conn.execute(
            "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND NOT read", (actor.id,)
        )
        unread_count = (await counted.fetchone() or {"n": 0})["n"]
    page = rows[:limit]
    return {
        "items": [public(e) for e in page],
        "unread": unread_count,
        "next": _cursor(page[-1]) if len(rows) > limit else None,
    }


@router.post("/{notification_id}/read")
async def mark_read(notification_id: str, request: Request, actor: CurrentActor) -> dict[str, Any]:
    async with _pool(request).connection() as conn:
        cur = await conn.execute(
            "WITH marked AS (UPDATE notifications SET read = true, read_at = now()"
            " WHERE id = %(id)s AND user_id = %(user)s AND NOT read RETURNING id)"
            f" SELECT {FIELDS} FROM notifications WHERE id = %(id)s AND user_id = %(user)s",
            {"id": notification_id, "user": actor.id},
        )
        entry = await cur.fetchone()
    if entry is None:  # someone else's looks the same as none: no existence leak
        raise ProblemError(404, "notification-not-found", "Không tìm thấy thông báo.")
    return {**public(entry), "read": True}


@router.get("/preferences")
async def get_preferences(request: Request, actor: CurrentActor) -> dict[str, Any]:
    async with _pool(request).connection() as conn:
        cur = await conn.execute("SELECT email FROM preferences WHERE user_id = %s", (actor.id,))
        row = await cur.fetchone()
    chosen = row["email"] if row else {}
    return {
        "email": {kind: bool(chosen.get(kind, True)) for kind in KINDS},
        "kinds": KINDS,
        "in_app": "always",
    }


@router.put("/preferences")
async def put_preferences(
    body: Preferences, request: Request, actor: CurrentActor
) -> dict[str, Any]:
    unknown = sorted(set(body.email) - set(KINDS))
    if unknown:
        raise ProblemError(
            422,
            "unknown-notification-kind",
            f"Loại thông báo không tồn tại: {', '.join(unknown)}.",
            kinds=unknown,
        )
    async with _pool(request).connection() as conn:  # merged in one atomic statement
        await conn.execute(
            "INSERT INTO preferences AS p (user_id, email, updated_at, updated_by)"
            " VALUES (%(user)s, %(email)s, now(), %(user)s) ON CONFLICT (user_id) DO UPDATE"
            " SET email = p.email || EXCLUDED.email, updated_at = EXCLUDED.updated_at,"
            " updated_by = EXCLUDED.updated_by",
            {"user": actor.id, "email": Jsonb(body.email)},
        )
    return await get_preferences(request, actor)


async def _recorded_since(
    pool: AsyncConnectionPool[Any], user_id: str, since: datetime
) -> list[dict[str, Any]]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT {FIELDS} FROM notifications WHERE user_id = %s AND recorded_at >= %s"
            " ORDER BY recorded_at, id",
            (user_id, since),
        )
        return await cur.fetchall()


@router.get("/stream")
async def stream(request: Request, actor: CurrentActor) -> StreamingResponse:
    """Server-Sent Events: each new inbox entry as ``event: notification``."""
    pool = _pool(request)
    hub = request.app.state.hub
    keepalive = request.app.state.settings.stream_keepalive_seconds

    resume = request.headers.get("last-event-id")
    last = None
    if resume:
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, recorded_at FROM notifications WHERE id = %s AND user_id = %s",
                (resume, actor.id),
            )
            last = await cur.fetchone()

    async def events() -> AsyncIterator[str]:
        wake = hub.subscribe(actor.id)  # before the first read: no write falls in between
        try:
            # A reconnecting EventSource sends Last-Event-ID: resume after that entry;
            # otherwise start now (what is already there is not news).
            since = last["recorded_at"] if last else datetime.now(UTC) - timedelta(seconds=2)
            seen: dict[str, datetime] = (
                {last["id"]: since}
                if last
                else {
                    e["id"]: e["recorded_at"] for e in await _recorded_since(pool, actor.id, since)
                }
            )
            yield "retry: 3000\n: connected\n\n"
            while True:
                for entry in await _recorded_since(pool, actor.id, since):
                    if entry["id"] in seen:
                        continue
                    seen[entry["id"]] = entry["recorded_at"]
                    yield (
                        f"id: {entry['id']}\nevent: notification\n"
                        f"data: {json.dumps(public(entry), ensure_ascii=False)}\n\n"
                    )
                if seen:  # read only the recent past next time
                    since = max(since, max(seen.values()) - OVERLAP)
                    seen = {k: at for k, at in seen.items() if at >= since}
                while True:  # nothing to read until this user's inbox changes
                    try:
                        await asyncio.wait_for(wake.wait(), keepalive)
                        break
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                wake.clear()
        finally:
            hub.unsubscribe(actor.id, wake)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
