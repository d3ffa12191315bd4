from __future__ import annotations

import sys
from pathlib import Path

import pytest

from motcua_ops import procs
from motcua_ops.errors import EngineError


def test_spawn_stop_leaves_no_process(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "sleeper.log"
    code = "import time; print('hello', flush=True); time.sleep(60)"
    pid = procs.spawn([sys.executable, "-c", code], log)
    assert procs.pid_alive(pid, "time.sleep(60)")
    assert not procs.pid_alive(pid, "something-else")
    assert procs.stop(pid, "time.sleep(60)", timeout=5)
    assert not procs.pid_alive(pid)
    assert not procs.stop(pid)  # idempotent
    assert "start:" in log.read_text()


def test_stop_escalates_to_kill(tmp_path: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    pid = procs.spawn([sys.executable, "-c", code], tmp_path / "stubborn.log")
    procs.wait_ready(
        "stubborn", lambda: "SIG_IGN" in procs.cmdline(pid), pid=pid, timeout=5, logs=[]
    )
    assert procs.stop(pid, timeout=1)
    assert not procs.pid_alive(pid)


def test_wait_ready_reports_exit_with_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "dies.log"
    pid = procs.spawn([sys.executable, "-c", "print('boom: bad config')"], log)
    with pytest.raises(EngineError, match="exited during start-up") as info:
        procs.wait_ready("dies", lambda: False, pid=pid, timeout=10, logs=[log])
    assert "boom: bad config" in str(info.value)


def test_log_tail_of_missing_file(tmp_path: Path) -> None:
    assert "no log" in procs.log_tail(tmp_path / "absent.log")
