"""The shipped list of breached and common passwords (see services/identity/data/README.md).

Loaded once per process; entries are kept as the policy compares them: NFC, surrounding
spaces removed, lower case.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

LIST_FILE = Path(__file__).resolve().parents[1] / "data" / "common-passwords.txt.gz"


@cache
def common_passwords(path: Path = LIST_FILE) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        entries = (unicodedata.normalize("NFC", line.strip()).lower() for line in lines)
        return frozenset(entry for entry in entries if entry)
