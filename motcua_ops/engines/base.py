"""What every engine provides to the launcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from motcua_ops import procs
from motcua_ops.paths import Paths

Entry = dict[str, Any]


class Engine:
    """Subclasses implement entry/start/answering; the other hooks default to no-ops."""

    name: ClassVar[str]  # key in engines.json
    marker: ClassVar[str]  # substring of the process command line (guards recycled pids)
    port_envs: ClassVar[dict[str, str]]  # entry key -> env var overriding that port
    start_timeout: ClassVar[float] = 30.0

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def check_prerequisites(self) -> None:
        """Raise MissingPrerequisite if a tool is not installed."""
        return None

    def install(self) -> None:
        """Download/build into the cache if missing (idempotent)."""
        return None

    def entry(self, ports: dict[str, int]) -> Entry:
        """The engines.json entry for these ports, `pid` None."""
        raise NotImplementedError

    def start(self, entry: Entry) -> int:
        """Prepare data dirs if needed and spawn the process; return its pid."""
        raise NotImplementedError

    def answering(self, entry: Entry) -> bool:
        """A cheap protocol-level check that the engine serves requests."""
        raise NotImplementedError

    def after_ready(self, entry: Entry) -> None:
        """One-off set-up once the engine answers (e.g. create a database)."""
        return None

    def running(self, entry: Entry) -> bool:
        return procs.pid_alive(entry.get("pid"), self.marker)

    def stop(self, entry: Entry) -> bool:
        return procs.stop(entry.get("pid"), self.marker)

    def logs(self) -> list[Path]:
        return [self.paths.log(self.name)]

    @property
    def data_dir(self) -> Path:
        return self.paths.state / self.name
