"""`motcua seed --demo`: run the services' own demo seeders, where they exist."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
from pathlib import Path

from motcua_ops.paths import REPO_ROOT
from motcua_ops.ui import info

SEEDERS = ["services.catalog.entrypoints.seed", "services.identity.entrypoints.seed"]


def module_file_exists(module: str, root: Path = REPO_ROOT) -> bool:
    base = root / module.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def seed_demo(state: Path, modules: list[str] | None = None, root: Path = REPO_ROOT) -> list[str]:
    """Call `seed_demo()` of every seeder module present (awaiting it if it is async);
    return the names of the modules that ran."""
    os.environ.setdefault("MOTCUA_STATE_DIR", str(state))
    ran = []
    for name in SEEDERS if modules is None else modules:
        if not module_file_exists(name, root):
            continue
        function = importlib.import_module(name).seed_demo
        result = function()
        if inspect.isawaitable(result):
            result = asyncio.run(_await(result))
        info(f"{name}: seeded {result}" if result is not None else f"{name}: seeded")
        ran.append(name)
    if not ran:
        info(f"nothing is seedable yet (none of {', '.join(SEEDERS)})")
    return ran


async def _await(awaitable: object) -> object:
    return await awaitable  # type: ignore[misc]
