"""``LISTEN``/``NOTIFY``: wake a waiter when a writer commits, instead of polling.

A writer calls :func:`notify` inside its transaction (PostgreSQL delivers the
notification at commit, once). A :class:`Listener` holds one autocommit connection
per process; :meth:`Listener.wait` returns the payloads that arrived, or none after
``timeout`` (a safety net: a lost connection is reopened on the next wait).
``on_connect`` runs after each (re)connection has issued its ``LISTEN``s: what was
notified while no connection listened is lost, so a waiter that must not miss a write
looks again then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)


async def notify(conn: psycopg.AsyncConnection[Any], channel: str, payload: str = "") -> None:
    await conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))


class Listener:
    def __init__(
        self, dsn: str, channels: list[str], on_connect: Callable[[], None] | None = None
    ) -> None:
        self.dsn = dsn
        self.channels = channels
        self.on_connect = on_connect
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
            for channel in self.channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._conn = conn
            if self.on_connect is not None:
                self.on_connect()
        return self._conn

    async def wait(self, timeout: float) -> list[str]:
        """Payloads that arrived within ``timeout`` seconds (at least one, or none)."""
        try:
            conn = await self._connection()
            payloads = [n.payload async for n in conn.notifies(timeout=timeout, stop_after=1)]
            while True:  # whatever else is already there, without waiting
                more = [n.payload async for n in conn.notifies(timeout=0, stop_after=100)]
                if not more:
                    return payloads
                payloads.extend(more)
        except psycopg.Error:
            log.warning("listener connection lost; reconnecting", exc_info=True)
            await self.close()
            await asyncio.sleep(min(timeout, 1.0))
            return []

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._conn.close()
            self._conn = None
