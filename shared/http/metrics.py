"""``/metrics`` of a service that runs one process, or several worker processes.

prometheus_client keeps a process's metrics in its memory; worker processes started with
``PROMETHEUS_MULTIPROC_DIR`` set write theirs to files in that directory instead, and the
page sums them (the library's multiprocess mode). The directory must be empty when the
workers start, or the last run's counts would be added in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def fresh_metrics_dir(name: str) -> Path:
    """An empty directory for ``name``'s workers' metric files."""
    path = Path(tempfile.gettempdir()) / f"motcua-metrics-{name}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def latest() -> bytes:
    """The metrics page: this process's, or the sum over every worker's files."""
    if MULTIPROCESS_ENV not in os.environ:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)
