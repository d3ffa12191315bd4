"""Engines as containers, for machines where a Docker engine answers.

Mail still goes to our own SMTP sink process: it is a real SMTP server and
the tests read the ``.eml`` files it writes. Files go to the launcher's versitygw
(a local process built with Go, like the one `motcua up` starts), so the S3 tests
run here too.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testcontainers.kafka import KafkaContainer
from testcontainers.postgres import PostgresContainer

from tests.support.engines import Engines
from tests.support.processes import free_port, wait_for_port
from tests.support.s3 import private_s3


@contextmanager
def container_engines() -> Iterator[Engines]:
    maildir = Path(tempfile.mkdtemp(prefix="motcua-mail-"))
    port = free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua_ops.smtp_sink",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--maildir",
            str(maildir),
        ]
    )
    kafka = KafkaContainer("apache/kafka:4.1.2").with_kraft()
    with (
        kafka,
        PostgresContainer(
            "postgres:15", username="motcua", password="motcua", dbname="motcua"
        ) as postgres,
        private_s3(Path(tempfile.mkdtemp(prefix="motcua-s3-"))) as s3,
    ):
        try:
            wait_for_port("127.0.0.1", port)
            yield Engines(
                kafka.get_bootstrap_server(),
                postgres.get_connection_url(driver=None),
                "127.0.0.1",
                port,
                maildir,
                s3.entry["url"],
                s3.entry["access_key"],
                s3.entry["secret_key"],
                s3.entry["region"],
            )
        finally:
            sink.terminate()
