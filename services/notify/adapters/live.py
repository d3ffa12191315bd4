"""Live push: one ``LISTEN`` connection per process, fanned out to the open streams.

The inbox writers ``NOTIFY`` the user ids whose inbox changed (adapters/store.py), at
commit. The hub wakes only the streams of those users; each stream then reads its
user's new entries. After the listening connection is (re)opened every stream is woken
once, for whatever was written while nobody listened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from shared.pg.listen import Listener

log = logging.getLogger(__name__)


class InboxHub:
    def __init__(self, dsn: str, channel: str) -> None:
        self.listener = Listener(dsn, [channel], on_connect=self.wake_all)
        self._streams: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, user_id: str) -> asyncio.Event:
        wake = asyncio.Event()
        self._streams.setdefault(user_id, set()).add(wake)
        return wake

    def unsubscribe(self, user_id: str, wake: asyncio.Event) -> None:
        waiting = self._streams.get(user_id)
        if waiting is not None:
            waiting.discard(wake)
            if not waiting:
                del self._streams[user_id]

    def wake(self, user_ids: list[str]) -> None:
        for user_id in user_ids:
            for wake in self._streams.get(user_id, ()):
                wake.set()

    def wake_all(self) -> None:
        for waiting in self._streams.values():
            for wake in waiting:
                wake.set()

    async def run(self) -> None:
        while True:
            try:
                for payload in await self.listener.wait(30.0):
                    self.wake(payload.split(","))
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the fan-out die with the process still serving
                log.exception("inbox listener failed; retrying")
                await asyncio.sleep(1.0)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="notify-inbox-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.listener.close()
