"""Rebuild the dossier read models from zero: ``motcua projections rebuild dossier``."""

from __future__ import annotations

import argparse
import time

from services.dossier.bootstrap import open_projector
from services.dossier.settings import DossierSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua projections")
    parser.add_argument("command", choices=["rebuild"])
    parser.add_argument(
        "--schema",
        help="PostgreSQL schema of the read models to rebuild "
        "(default: the service's own; another one is migrated first)",
    )
    args = parser.parse_args(argv)
    projector, close = open_projector(DossierSettings(), args.schema)
    try:
        started = time.perf_counter()
        total = projector.rebuild()
        print(
            f"rebuilt dossier read models from {total} events "
            f"in {time.perf_counter() - started:.2f}s"
        )
    finally:
        close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
