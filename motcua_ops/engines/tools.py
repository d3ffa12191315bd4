"""Finding external tools and running coroutines from synchronous launcher code."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from motcua_ops.errors import MissingPrerequisite

T = TypeVar("T")

# Places tools live when they are not on PATH (e.g. the official Go tarball).
EXTRA_DIRS = ["/usr/local/go/bin", str(Path.home() / "go" / "bin"), "/usr/lib/go/bin"]


def find_tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in EXTRA_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    raise MissingPrerequisite(name, package)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion, also when called from inside a running event loop
    (e.g. an async pytest fixture): then it runs on a fresh loop in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
