"""The state files other code reads: `engines.json` and `services.json` in the state dir."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from motcua_ops.paths import state_dir

ENGINES_FILE = "engines.json"
SERVICES_FILE = "services.json"


def engine_state_path(state: Path | None = None) -> Path:
    return (state or state_dir()) / ENGINES_FILE


def service_state_path(state: Path | None = None) -> Path:
    return (state or state_dir()) / SERVICES_FILE


def read_json(path: Path) -> dict[str, Any]:
    """The file's object, or {} when the file does not exist yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (temporary file, then rename) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def load_engines(state: Path | None = None) -> dict[str, Any]:
    """The engines.json dict written by `motcua engines up` / `ensure_engines()`."""
    path = engine_state_path(state)
    data = read_json(path)
    if not data:
        raise FileNotFoundError(f"{path} not found: run `motcua engines up` first")
    return data


def load_services(state: Path | None = None) -> dict[str, Any]:
    return read_json(service_state_path(state))


def recorded_ports(state: Path) -> set[int]:
    """Ports recorded for any engine or service (kept while they are stopped, so a
    free port chosen for one never takes another's address)."""
    taken: set[int] = set()
    for data in (read_json(engine_state_path(state)), load_services(state)):
        for entry in data.values():
            for key, value in entry.items():
                if key.endswith("port") and isinstance(value, int):
                    taken.add(value)
    return taken


@contextmanager
def state_lock(state: Path) -> Iterator[None]:
    """Serialise launcher runs on one state dir (several test sessions, two terminals);
    also used on the cache dir so two clones never build into it at the same time."""
    state.mkdir(parents=True, exist_ok=True)
    with open(state / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
