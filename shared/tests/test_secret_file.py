"""A generated key file: created once (0600), and every process starting at once reads
the same complete key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shared.secret_file import load_or_create_secret


def test_the_key_is_created_once_and_read_whole_by_everyone(tmp_path: Path) -> None:
    path = tmp_path / "gateway" / "csrf.key"
    with ThreadPoolExecutor(8) as threads:
        keys = set(threads.map(lambda _: load_or_create_secret(path), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["csrf.key"]  # no draft left behind
    assert load_or_create_secret(path) == path.read_bytes()
