"""Where the launcher keeps state (per checkout) and its cache (per user, outside the repo)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DIR = REPO_ROOT / "deploy" / "local"


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for processes we start: ours, plus the repo on PYTHONPATH so
    `python -m motcua_ops...`/`services...` import even before `pip install -e` maps them."""
    env = dict(os.environ)
    parts = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    env.update(extra or {})
    return env


def state_dir() -> Path:
    """`$MOTCUA_STATE_DIR`, else `.motcua` under the current directory; always absolute."""
    return Path(os.environ.get("MOTCUA_STATE_DIR") or ".motcua").expanduser().resolve()


def cache_dir() -> Path:
    """`${XDG_CACHE_HOME:-~/.cache}/motcua`: downloads and builds shared by every clone."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "motcua"


@dataclass(frozen=True)
class Paths:
    state: Path
    cache: Path

    @classmethod
    def resolve(cls, state: Path | None = None) -> Paths:
        return cls(state=(state or state_dir()).resolve(), cache=cache_dir())

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def ensure(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.cache.mkdir(parents=True, exist_ok=True)
