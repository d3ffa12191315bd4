"""``motcua notify retry-emails`` (or ``python -m services.notify.entrypoints.cli``): put
the emails that failed after every SMTP attempt back in the senders' queue (the running
notify processes send them, same Message-ID)."""

from __future__ import annotations

import asyncio

from services.notify.bootstrap import retry_failed
from services.notify.settings import NotifySettings


def main() -> int:
    return asyncio.run(retry_failed(NotifySettings()))


if __name__ == "__main__":  # python -m services.notify.entrypoints.cli
    print(f"{main()} email(s) queued again")
