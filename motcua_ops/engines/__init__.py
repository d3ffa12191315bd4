"""Start, stop and inspect the engines; `ensure_engines()` is the API tests use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.engines.kafka import Kafka
from motcua_ops.engines.postgres import Postgres
from motcua_ops.engines.s3 import S3Gateway
from motcua_ops.engines.smtp import SmtpSink
from motcua_ops.errors import EngineError
from motcua_ops.paths import Paths
from motcua_ops.ports import pick_port, port_is_free
from motcua_ops.state import (
    engine_state_path,
    read_json,
    recorded_ports,
    state_lock,
    write_json,
)
from motcua_ops.ui import step

# Start order: the slowest first, so its boot overlaps the others' start.
ENGINE_TYPES: list[type[Engine]] = [Kafka, Postgres, SmtpSink, S3Gateway]
ENGINE_NAMES = [engine.name for engine in ENGINE_TYPES]

__all__ = ["ENGINE_NAMES", "EngineStatus", "engine_status", "ensure_engines", "stop_engines"]


def _engines(paths: Paths) -> list[Engine]:
    return [engine_type(paths) for engine_type in ENGINE_TYPES]


def _plan(engine: Engine, previous: Entry, taken: set[int]) -> Entry:
    ports = {key: pick_port(env, previous.get(key), taken) for key, env in engine.port_envs.items()}
    return engine.entry(ports)


def _same_address(a: Entry, b: Entry) -> bool:
    return all(a.get(key) == b.get(key) for key in a if key != "pid")


def _check_ports_free(engine: Engine, entry: Entry) -> None:
    for key, env in engine.port_envs.items():
        if not port_is_free(entry[key]):
            raise EngineError(
                f"{engine.name}: port {entry[key]} on 127.0.0.1 is used by another process; "
                f"stop it or choose another port with {env}=<port>"
            )


def ensure_engines(state_dir: Path | None = None) -> dict[str, Any]:
    """Install what the cache lacks, start every engine that is not running, wait until
    each answers; return the engines.json dict. Idempotent."""
    paths = Paths.resolve(state_dir)
    paths.ensure()
    engines = _engines(paths)
    for engine in engines:
        engine.check_prerequisites()  # every missing tool is reported before any work
    with state_lock(paths.cache):
        for engine in engines:
            engine.install()
    path = engine_state_path(paths.state)
    with state_lock(paths.state):
        current = read_json(path)
        taken = recorded_ports(paths.state)
        starting: list[Engine] = []
        for engine in engines:
            previous = current.get(engine.name, {})
            entry = _plan(engine, previous, taken)
            if engine.running(previous):
                if _same_address(entry, previous):
                    entry["pid"] = previous["pid"]
                    current[engine.name] = entry
                    if not engine.answering(entry):
                        starting.append(engine)
                    continue
                engine.stop(previous)  # its port was changed through the environment
            _check_ports_free(engine, entry)
            with step(f"starting {engine.name}"):
                entry["pid"] = engine.start(entry)
            current[engine.name] = entry
            write_json(path, current)
            starting.append(engine)
        for engine in starting:
            _wait(engine, current, path)
        write_json(path, current)
        return current


def _wait(engine: Engine, current: dict[str, Any], path: Path) -> None:
    entry = current[engine.name]
    try:
        with step(f"waiting for {engine.name} on port {entry['port']}"):
            procs.wait_ready(
                engine.name,
                lambda: engine.answering(entry),
                pid=entry["pid"],
                timeout=engine.start_timeout,
                logs=engine.logs(),
            )
        engine.after_ready(entry)
    except EngineError:
        engine.stop(entry)
        entry["pid"] = None
        write_json(path, current)
        raise


def stop_engines(state_dir: Path | None = None) -> list[str]:
    """Stop every engine recorded in engines.json (addresses are kept for the next start);
    return the names of those that were running."""
    paths = Paths.resolve(state_dir)
    path = engine_state_path(paths.state)
    stopped: list[str] = []
    with state_lock(paths.state):
        current = read_json(path)
        for engine in reversed(_engines(paths)):
            entry = current.get(engine.name)
            if not entry:
                continue
            if engine.stop(entry):
                stopped.append(engine.name)
            entry["pid"] = None
        if current:
            write_json(path, current)
    return stopped


@dataclass
class EngineStatus:
    name: str
    address: str
    pid: int | None
    alive: bool
    answering: bool


def engine_status(state_dir: Path | None = None) -> list[EngineStatus]:
    paths = Paths.resolve(state_dir)
    current = read_json(engine_state_path(paths.state))
    result = []
    for engine in _engines(paths):
        entry = current.get(engine.name, {})
        alive = engine.running(entry)
        answering = bool(entry) and engine.answering(entry)
        address = f"127.0.0.1:{entry['port']}" if entry else "-"
        result.append(EngineStatus(engine.name, address, entry.get("pid"), alive, answering))
    return result
