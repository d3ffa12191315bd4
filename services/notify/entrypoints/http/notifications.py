"""The caller's inbox over HTTP: list, mark read, live stream (SSE), email preferences.

The routes parse and call ``application.inbox.Inbox`` (``app.state.inbox``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from services.notify.application.inbox import (
    EmailPreferences,
    Inbox,
    NotificationPage,
    NotificationView,
    public,
)
from shared.http.actor import CurrentActor

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


def _inbox(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox


InboxDep = Annotated[Inbox, Depends(_inbox)]


class Preferences(BaseModel):
    email: dict[str, bool] = Field(
        default_factory=dict, description="Email on/off per kind; in-app is always on."
    )


@router.get("")
async def list_notifications(
    inbox: InboxDep,
    actor: CurrentActor,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        str | None, Query(max_length=400, description="`next` of the previous page.")
    ] = None,
) -> NotificationPage:
    return await inbox.page(actor.id, unread=unread, limit=limit, before=before)


@router.post("/{notification_id}/read")
async def mark_read(notification_id: str, inbox: InboxDep, actor: CurrentActor) -> NotificationView:
    return await inbox.mark_read(actor.id, notification_id)


@router.get("/preferences")
async def get_preferences(inbox: InboxDep, actor: CurrentActor) -> EmailPreferences:
    return await inbox.preferences(actor.id)


@router.put("/preferences")
async def put_preferences(
    body: Preferences, inbox: InboxDep, actor: CurrentActor
) -> EmailPreferences:
    return await inbox.choose(actor.id, body.email)


# One event of the stream, as an EventSource reads it (`data` is JSON text).
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["unread", "notification"]},
        "data": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: first `event: unread` with the caller's "
            'unread count (`{"unread": n}`), then `event: notification` with a '
            "NotificationView as `data` for each new entry, comments as keep-alives.",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        }
    },
)
async def stream(request: Request, inbox: InboxDep, actor: CurrentActor) -> StreamingResponse:
    """Server-Sent Events: the unread count as ``event: unread``, then each new inbox
    entry as ``event: notification``."""
    keepalive = request.app.state.settings.stream_keepalive_seconds
    # A reconnecting EventSource sends Last-Event-ID: resume after that entry.
    last = await inbox.resume_point(actor.id, request.headers.get("last-event-id"))

    async def events() -> AsyncIterator[str]:
        async for item in inbox.follow(actor.id, last, keepalive):
            if isinstance(item, dict):
                data = json.dumps(public(item).model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {item['id']}\nevent: notification\ndata: {data}\n\n"
            elif item == "connected":  # the bell's figure first: pages do not ask for it
                unread = json.dumps({"unread": await inbox.unread(actor.id)})
                yield f"retry: 3000\n: connected\nevent: unread\ndata: {unread}\n\n"
            else:
                yield ": keep-alive\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
