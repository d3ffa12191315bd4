"""What the whole-suite benchmarks share: the suite as the end-to-end tests start it,
percentiles, concurrent request loops, and the RSS of every process.

The suite runs on the engines found the tests' way (environment, containers, local
launcher) in a state directory of its own, with its own topic prefix and schemas.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.suite import Suite, start_suite, stop_suite
from tests.support.engines import find_engines

# The benchmarks send more from 127.0.0.1 than any person would: no per-address limit.
UNLIMITED = {
    "MOTCUA_GATEWAY_RATE_CLIENT_PER_WINDOW": "100000000",
    "MOTCUA_GATEWAY_RATE_ACCOUNT_PER_WINDOW": "100000000",
    "MOTCUA_GATEWAY_RATE_LOOKUP_PER_WINDOW": "100000000",
    "MOTCUA_GATEWAY_RATE_LOGIN_PER_WINDOW": "100000000",
}


@contextmanager
def running_suite() -> Iterator[Suite]:
    with find_engines() as engines:
        suite = start_suite(engines, Path(tempfile.mkdtemp(prefix="motcua-bench-")))
        try:
            gateway = suite.processes["gateway"]
            gateway.env.update(UNLIMITED)
            suite.stop("gateway")
            suite.start("gateway")
            yield suite
        finally:
            stop_suite(suite)


def p(samples: list[float], q: int) -> float:
    """The q-th percentile in milliseconds (samples in seconds)."""
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def hammer(call: Callable[[int], Any], count: int, clients: int) -> list[float]:
    """``count`` calls of ``call(n)`` from ``clients`` threads; each call's seconds."""

    def one(n: int) -> float:
        started = time.perf_counter()
        call(n)
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(one, range(count)))


def rss_mib(pid: int | None) -> float:
    """Resident memory of one process, from /proc (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def memory(suite: Suite) -> dict[str, float]:
    return {
        name: rss_mib(process.process.pid if process.process else None)
        for name, process in suite.processes.items()
    }


def expect(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json()
