"""Start detached processes, check them, stop them (process group, TERM then KILL)."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from motcua_ops.errors import EngineError

# Popen objects of children started by this process, kept so they are reaped (no zombies
# that would still look alive) and never garbage collected while running.
_children: dict[int, subprocess.Popen[bytes]] = {}


def as_user(user: str | None) -> dict[str, Any]:
    """Popen arguments that run as `user` with its own group and no supplementary groups
    (with only `user=`, the child keeps root's groups and gets root's group permissions)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def spawn(
    cmd: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start `cmd` in its own session (it survives the launcher), output appended to
    `log_path`; returns its pid, which is also its process group id."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} start: {' '.join(cmd)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            **as_user(user),
        )
    _children[proc.pid] = proc
    return proc.pid


def _reap(pid: int) -> None:
    proc = _children.get(pid)
    if proc is not None and proc.poll() is not None:
        del _children[pid]


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def pid_alive(pid: int | None, marker: str | None = None) -> bool:
    """True if `pid` runs (not a zombie) and, given `marker`, its command line contains it
    (guards against a recycled pid)."""
    if not pid:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except (OSError, IndexError):
        return False
    return marker is None or marker in cmdline(pid)


def wait_dead(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


def stop(pid: int | None, marker: str | None = None, timeout: float = 15.0) -> bool:
    """SIGTERM the process group of `pid`, SIGKILL it after `timeout`. False if not running."""
    if not pid_alive(pid, marker):
        return False
    assert pid is not None
    _signal_group(pid, signal.SIGTERM)
    if not wait_dead(pid, timeout):
        _signal_group(pid, signal.SIGKILL)
        wait_dead(pid, 5.0)
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = text.rstrip().splitlines()[-lines:]
    return f"--- last {len(tail)} lines of {path}:\n" + "\n".join(tail)


def wait_ready(
    name: str,
    check: Callable[[], bool],
    *,
    pid: int,
    timeout: float,
    logs: Sequence[Path],
    interval: float = 0.5,
) -> None:
    """Poll `check` until True; fail early if the process died, late on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if not pid_alive(pid):
            problem = f"{name} exited during start-up"
            break
        if time.monotonic() > deadline:
            problem = f"{name} did not become ready within {timeout:.0f}s"
            break
        time.sleep(interval)
    tails = "\n".join(log_tail(path) for path in logs)
    raise EngineError(f"{problem}\n{tails}")


def run(
    cmd: Sequence[str], log_path: Path, *, what: str, user: str | None = None, **kwargs: Any
) -> None:
    """Run a set-up command to completion, output to `log_path`; EngineError on failure."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} run: {' '.join(cmd)}\n".encode())
        log.flush()
        result = subprocess.run(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            **as_user(user),
            **kwargs,
        )
    if result.returncode != 0:
        raise EngineError(f"{what} failed (exit {result.returncode})\n{log_tail(log_path)}")
