"""The inbox use cases: keyset pages newest first, refusals with their stable types, email
preferences merged, and a live stream that resumes after the entry it saw last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notify.application.inbox import Inbox, NotificationPage
from services.notify.domain.errors import (
    InvalidCursorError,
    NotificationNotFoundError,
    UnknownNotificationKindError,
)
from services.notify.domain.kinds import KINDS
from services.notify.tests.unit.fakes import FakeInbox, FakeLive

AT = datetime(2026, 11, 23, 1, tzinfo=UTC)


def _entry(user: str, number: int, *, read: bool = False) -> dict[str, Any]:
    at = AT + timedelta(minutes=number // 2)  # pairs share a time: the id breaks the tie
    return {
        "id": f"{user}-e{number}",
        "user_id": user,
        "kind": "dossier_created",
        "title": f"Thông báo {number}",
        "subject": "d1",
        "code": "C1",
        "event_type": "vn.motcua.dossier.created",
        "read": read,
        "created_at": at,
        "recorded_at": at,
    }


def _inbox() -> Inbox:
    entries = [_entry("u1", i, read=i == 0) for i in range(5)] + [_entry("u2", 0)]
    return Inbox(FakeInbox(entries), FakeLive())


async def test_pages_follow_the_cursor_newest_first_with_the_unread_count() -> None:
    inbox, ids, cursor = _inbox(), [], None
    for _ in range(3):
        page = await inbox.page("u1", unread=False, limit=2, before=cursor)
        assert page.unread == 4
        ids += [item.id for item in page.items]
        cursor = page.next
    assert cursor is None
    assert ids == ["u1-e4", "u1-e3", "u1-e2", "u1-e1", "u1-e0"]
    unread = await inbox.page("u1", unread=True, limit=50, before=None)
    assert [i.id for i in unread.items] == ["u1-e4", "u1-e3", "u1-e2", "u1-e1"]
    assert await inbox.page("u3", unread=False, limit=50, before=None) == NotificationPage(
        items=[], unread=0, next=None
    )


async def test_a_broken_cursor_is_refused_as_invalid_cursor() -> None:
    with pytest.raises(InvalidCursorError) as refused:
        await _inbox().page("u1", unread=False, limit=2, before="%%")
    problem = refused.value
    assert (problem.status, problem.type) == (422, "invalid-cursor")
    assert problem.detail == "Tham số phân trang không hợp lệ."


async def test_someone_elses_entry_cannot_be_marked_read() -> None:
    inbox = _inbox()
    with pytest.raises(NotificationNotFoundError) as refused:
        await inbox.mark_read("u1", "u2-e0")
    assert (refused.value.status, refused.value.type) == (404, "notification-not-found")
    assert refused.value.detail == "Không tìm thấy thông báo."
    marked = await inbox.mark_read("u1", "u1-e3")
    assert (marked.id, marked.read) == ("u1-e3", True)
    assert (await inbox.page("u1", unread=False, limit=50, before=None)).unread == 3


async def test_preferences_default_to_email_on_and_merge_the_choices() -> None:
    inbox = _inbox()
    assert all((await inbox.preferences("u1")).email.values())
    await inbox.choose("u1", {"payment_due": False})
    chosen = await inbox.choose("u1", {"dossier_accepted": False})
    assert chosen.email["payment_due"] is False and chosen.email["dossier_accepted"] is False
    assert chosen.email["result_ready"] is True and chosen.kinds == KINDS
    with pytest.raises(UnknownNotificationKindError) as refused:
        await inbox.choose("u1", {"nope": True, "khac": False})
    problem = refused.value
    assert (problem.status, problem.type) == (422, "unknown-notification-kind")
    assert problem.detail == "Loại thông báo không tồn tại: khac, nope."
    assert problem.extensions == {"kinds": ["khac", "nope"]}


async def test_a_resumed_stream_sends_what_came_after_the_last_seen_entry() -> None:
    reader, live = FakeInbox([_entry("u1", 0)]), FakeLive()
    inbox = Inbox(reader, live)
    last = await inbox.resume_point("u1", "u1-e0")
    assert last is not None and await inbox.resume_point("u2", "u1-e0") is None
    stream = inbox.follow("u1", last, keepalive=0.05)
    assert await anext(stream) == "connected"
    later = _entry("u1", 1) | {"recorded_at": last["recorded_at"] + timedelta(seconds=1)}
    reader.entries.append(later)
    first = await anext(stream)
    assert isinstance(first, dict) and first["id"] == "u1-e1"
    assert await anext(stream) == "idle"  # nothing new within the keep-alive
    reader.entries.append(_entry("u1", 2) | {"recorded_at": later["recorded_at"]})
    live.wake("u1")
    second = await anext(stream)
    assert isinstance(second, dict) and second["id"] == "u1-e2"
    await stream.aclose()
    assert not live.streams["u1"]  # closing the stream unsubscribes it
