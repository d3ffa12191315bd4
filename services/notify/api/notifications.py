"""The caller's inbox: list, mark read, live stream (SSE), email preferences."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from services.notify.domain.kinds import KINDS
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
POLL_SECONDS = 1.0


class Preferences(BaseModel):
    email: dict[str, bool] = Field(
        default_factory=dict, description="Email on/off per kind; in-app is always on.")


def public(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["_id"], "kind": entry.get("kind"), "title": entry["title"],
        "dossier_id": entry.get("subject"), "code": entry.get("code"),
        "event_type": entry.get("event_type"), "read": entry["read"],
        "created_at": entry["created_at"].isoformat(),
    }


@router.get("")
async def list_notifications(
    request: Request, actor: CurrentActor,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    db = request.app.state.db
    query: dict[str, Any] = {"user_id": actor.id}
    if unread:
        query["read"] = False
    cursor = db.notifications.find(query).sort("created_at", -1).limit(limit)
    items = [public(e) async for e in cursor]
    unread_count = await db.notifications.count_documents({"user_id": actor.id, "read": False})
    return {"items": items, "unread": unread_count}


@router.post("/{notification_id}/read")
async def mark_read(notification_id: str, request: Request, actor: CurrentActor) -> dict[str, Any]:
    db = request.app.state.db
    entry = await db.notifications.find_one({"_id": notification_id, "user_id": actor.id})
    if entry is None:  # someone else's looks the same as none: no existence leak
        raise ProblemError(404, "notification-not-found", "Không tìm thấy thông báo.")
    if not entry["read"]:
        await db.notifications.update_one(
            {"_id": notification_id}, {"$set": {"read": True, "read_at": datetime.now(UTC)}})
    return {**public(entry), "read": True}


@router.get("/preferences")
async def get_preferences(request: Request, actor: CurrentActor) -> dict[str, Any]:
    prefs = await request.app.state.db.preferences.find_one({"_id": actor.id}) or {}
    chosen = prefs.get("email", {})
    return {"email": {kind: bool(chosen.get(kind, True)) for kind in KINDS},
            "kinds": KINDS, "in_app": "always"}


@router.put("/preferences")
async def put_preferences(body: Preferences, request: Request,
                          actor: CurrentActor) -> dict[str, Any]:
    unknown = sorted(set(body.email) - set(KINDS))
    if unknown:
        raise ProblemError(422, "unknown-notification-kind",
                           f"Loại thông báo không tồn tại: {', '.join(unknown)}.", kinds=unknown)
    db = request.app.state.db
    current = (await db.preferences.find_one({"_id": actor.id}) or {}).get("email", {})
    await db.preferences.update_one(
        {"_id": actor.id},
        {"$set": {"email": {**current, **body.email}, "updated_at": datetime.now(UTC),
                  "updated_by": actor.id}},
        upsert=True)
    return await get_preferences(request, actor)


@router.get("/stream")
async def stream(request: Request, actor: CurrentActor) -> StreamingResponse:
    """Server-Sent Events: each new inbox entry as ``event: notification``."""
    db = request.app.state.db
    keepalive = request.app.state.settings.stream_keepalive_seconds

    resume = request.headers.get("last-event-id")
    last = (await db.notifications.find_one({"_id": resume, "user_id": actor.id})
            if resume else None)

    async def events() -> AsyncIterator[str]:
        # A reconnecting EventSource sends Last-Event-ID: resume after that entry;
        # otherwise start now (minus a little: the writers' clocks differ slightly).
        since = last["recorded_at"] if last else datetime.now(UTC) - timedelta(seconds=2)
        seen: set[str] = {last["_id"]} if last else {
            e["_id"] async for e in db.notifications.find(
                {"user_id": actor.id, "recorded_at": {"$gte": since}}, {"_id": 1})}
        quiet = 0.0
        yield "retry: 3000\n: connected\n\n"
        while not await request.is_disconnected():
            found = db.notifications.find(
                {"user_id": actor.id, "recorded_at": {"$gte": since}}).sort("recorded_at", 1)
            async for entry in found:
                if entry["_id"] in seen:
                    continue
                seen.add(entry["_id"])
                quiet = 0.0
                yield (f"id: {entry['_id']}\nevent: notification\n"
                       f"data: {json.dumps(public(entry), ensure_ascii=False)}\n\n")
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            if quiet >= keepalive:
                quiet = 0.0
                yield ": keep-alive\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
