"""Rebuild notify's pure projections from zero: ``motcua projections rebuild notify``."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from services.notify.bootstrap import MissingHistoryError, rebuild_projections
from services.notify.settings import NotifySettings

UNTOUCHED = (
    "Rebuilds dossiers, accounts and calendar_overrides from the identity, dossier and "
    "catalog topics. Leaves untouched what is not a pure replay of them: notifications "
    "(read flags, email queue), preferences, emails (identity deliveries), stats "
    "(counted by faust) and processed_events."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua projections", description=UNTOUCHED)
    parser.add_argument("command", choices=["rebuild"])
    parser.add_argument(
        "--schema",
        help="PostgreSQL schema of the projections to rebuild "
        "(default: the service's own; another one is migrated first)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        done = asyncio.run(rebuild_projections(NotifySettings(), args.schema))
    except MissingHistoryError as error:
        print(f"not rebuilt, the topics do not hold every event: {error}", file=sys.stderr)
        return 1
    events = ", ".join(f"{n} {context}" for context, n in sorted(done.events.items()))
    rows = ", ".join(f"{table} {n}" for table, n in done.rows.items())
    skipped = f"{done.undecodable} undecodable and {done.unprojectable} unprojectable skipped"
    print(
        f"rebuilt notify projections from {sum(done.events.values())} events "
        f"({events or 'none'}; {skipped}) in {time.perf_counter() - started:.2f}s: rows {rows}; "
        "notifications, preferences, emails and stats left untouched"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
