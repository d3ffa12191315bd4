"""Where integration tests find the engines, in DESIGN.md's order.

1. Addresses given in the environment (MOTCUA_KAFKA_BOOTSTRAP_SERVERS,
   MOTCUA_POSTGRES_DSN, MOTCUA_SMTP_HOST/PORT/MAILDIR; optionally
   MOTCUA_S3_URL/_ACCESS_KEY/_SECRET_KEY for an S3-compatible store).
2. Else containers, where a Docker engine answers.
3. Else the local launcher (real processes on 127.0.0.1).

A missing engine fails the test session; nothing is skipped or faked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

_ENV_KEYS = (
    "MOTCUA_KAFKA_BOOTSTRAP_SERVERS",
    "MOTCUA_POSTGRES_DSN",
    "MOTCUA_SMTP_HOST",
    "MOTCUA_SMTP_PORT",
    "MOTCUA_SMTP_MAILDIR",
)


@dataclass(frozen=True)
class Engines:
    kafka_bootstrap_servers: str
    postgres_dsn: str
    smtp_host: str
    smtp_port: int
    maildir: Path
    # the S3-compatible file store (versitygw from the launcher); "" where there is none
    s3_url: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"

    def env(self) -> dict[str, str]:
        env = {
            "MOTCUA_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "MOTCUA_POSTGRES_DSN": self.postgres_dsn,
            "MOTCUA_SMTP_HOST": self.smtp_host,
            "MOTCUA_SMTP_PORT": str(self.smtp_port),
        }
        if self.s3_url:  # the services with files keep them there, as `motcua up` does
            for service in ("DOSSIER", "IDENTITY"):
                prefix = f"MOTCUA_{service}_BLOB_S3_"
                env.update(
                    {
                        prefix + "URL": self.s3_url,
                        prefix + "REGION": self.s3_region,
                        prefix + "ACCESS_KEY": self.s3_access_key,
                        prefix + "SECRET_KEY": self.s3_secret_key,
                    }
                )
                # tests on their own schemas share these buckets: a sweep from one would
                # delete the files the others' schemas refer to (tests sweep explicitly)
                env[f"MOTCUA_{service}_BLOB_SWEEP_INTERVAL_HOURS"] = "0"
        return env


def _from_environment() -> Engines | None:
    if not all(key in os.environ for key in _ENV_KEYS):
        return None
    return Engines(
        os.environ["MOTCUA_KAFKA_BOOTSTRAP_SERVERS"],
        os.environ["MOTCUA_POSTGRES_DSN"],
        os.environ["MOTCUA_SMTP_HOST"],
        int(os.environ["MOTCUA_SMTP_PORT"]),
        Path(os.environ["MOTCUA_SMTP_MAILDIR"]),
        os.environ.get("MOTCUA_S3_URL", ""),
        os.environ.get("MOTCUA_S3_ACCESS_KEY", ""),
        os.environ.get("MOTCUA_S3_SECRET_KEY", ""),
    )


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    return probe.returncode == 0


@contextmanager
def _from_launcher() -> Iterator[Engines]:
    """Start what is not running; stop at the end only what this session started."""
    from motcua_ops.engines import engine_status, ensure_engines, stop_engines

    were_running = all(status.answering for status in engine_status())
    state = ensure_engines()
    try:
        yield Engines(
            state["kafka"]["bootstrap_servers"],
            state["postgres"]["dsn"],
            state["smtp"]["host"],
            int(state["smtp"]["port"]),
            Path(state["smtp"]["maildir"]),
            state["s3"]["url"],
            state["s3"]["access_key"],
            state["s3"]["secret_key"],
            state["s3"]["region"],
        )
    finally:
        if not were_running:
            stop_engines()


@contextmanager
def find_engines() -> Iterator[Engines]:
    """The engines in DESIGN.md's order (environment, containers, local launcher)."""
    found = _from_environment()
    if found is not None:
        yield found
    elif _docker_answers():
        from tests.support.containers import container_engines

        with container_engines() as started:
            yield started
    else:
        with _from_launcher() as started:
            yield started


@pytest.fixture(scope="session")
def engines() -> Iterator[Engines]:
    with find_engines() as found:
        yield found


@pytest.fixture
def run_id() -> str:
    """A fresh name for this test's topics, databases and schemas."""
    return "t" + uuid.uuid4().hex[:12]


def pytest_sessionfinish() -> None:
    """No service process outlives the test session, even after a failing test."""
    from tests.support.processes import stop_leftovers

    stop_leftovers()


@pytest.fixture
def event_store_env(engines: Engines, run_id: str) -> Iterator[dict[str, str]]:
    """The dossier service's schema (event store, read models, copies of other services'
    data) for this test: created by the service's migrations, dropped at the end."""
    yield {"MOTCUA_DOSSIER_POSTGRES_SCHEMA": run_id}
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')
