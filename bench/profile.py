"""Where a benchmark's time goes: CPU seconds per process and py-spy profiles.

``cpu_seconds`` reads a process's user + system time from /proc; ``profiling`` runs
``py-spy record`` (raw collapsed stacks, on-CPU samples only) on some processes for a
window of the benchmark; ``summary`` turns one such file into the functions with the
largest inclusive and self shares of the samples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PY_SPY = Path(sys.executable).with_name("py-spy")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


@contextmanager
def profiling(pids: dict[str, int], out_dir: Path, seconds: float) -> Iterator[None]:
    """``py-spy record`` on each named process for at most ``seconds``; one raw file each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    spies = [
        subprocess.Popen(
            [
                str(PY_SPY),
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "50",
                "--nonblocking",
                "--nolineno",
                "--format",
                "raw",
                "--output",
                str(out_dir / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]
    try:
        yield
    finally:
        for spy in spies:
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()


def summary(raw: Path, top: int = 15) -> str:
    """The ``top`` frames by inclusive share of the samples, each with its self share."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            own[frames[-1]] += samples
    if not total:
        return f"{raw.stem}: no samples"
    rows = [f"{raw.stem}: {total} samples", "| frame | inclusive | self |", "|---|---|---|"]
    for frame, samples in inclusive.most_common(top):
        share, self_share = 100 * samples / total, 100 * own[frame] / total
        rows.append(f"| `{frame}` | {share:.0f} % | {self_share:.0f} % |")
    rows.append("")
    rows.append("by self share:")
    for frame, samples in own.most_common(top):
        rows.append(f"- `{frame}` {100 * samples / total:.1f} %")
    return "\n".join(rows)
