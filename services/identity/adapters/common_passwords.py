"""The shipped list of common passwords (see services/identity/data/README.md)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

LIST_FILE = Path(__file__).resolve().parents[1] / "data" / "common-passwords.txt.gz"


@cache
def common_passwords(path: Path = LIST_FILE) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())
