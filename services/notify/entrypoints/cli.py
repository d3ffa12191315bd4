"""``motcua notify retry-emails`` (or ``python -m services.notify.entrypoints.cli``): put
the emails that failed after every SMTP attempt back in the senders' queue (the running
notify processes send them, same Message-ID)."""

from __future__ import annotations

import asyncio

import psycopg

from services.notify.adapters import store
from services.notify.settings import NotifySettings
from shared.pg.pools import connection_kwargs


async def retry_failed(settings: NotifySettings | None = None) -> int:
    settings = settings or NotifySettings()
    schema = settings.pg_schema()
    conn = await psycopg.AsyncConnection.connect(
        settings.require("postgres_dsn"), **connection_kwargs(schema)
    )
    async with conn:
        count = await store.retry_failed_emails(conn, store.email_channel(schema))
        await conn.commit()
    return count


def main() -> int:
    return asyncio.run(retry_failed())


if __name__ == "__main__":  # python -m services.notify.entrypoints.cli
    print(f"{main()} email(s) queued again")
