"""Engines as containers, for machines where a Docker engine answers.

Mail still goes to our own SMTP sink process: it is a real SMTP server and
the tests read the ``.eml`` files it writes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testcontainers.kafka import KafkaContainer
from testcontainers.mongodb import MongoDbContainer
from testcontainers.postgres import PostgresContainer

from tests.support.engines import Engines
from tests.support.processes import free_port, wait_for_port


@contextmanager
def container_engines() -> Iterator[Engines]:
    maildir = Path(tempfile.mkdtemp(prefix="motcua-mail-"))
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "motcua_ops.smtp_sink", "--host", "127.0.0.1",
         "--port", str(port), "--maildir", str(maildir)]
    )
    kafka = KafkaContainer("apache/kafka:4.1.2").with_kraft()
    with kafka, MongoDbContainer("mongo:7") as mongo, PostgresContainer(
        "postgres:15", username="motcua", password="motcua", dbname="motcua"
    ) as postgres:
        try:
            wait_for_port("127.0.0.1", port)
            yield Engines(
                kafka.get_bootstrap_server(), mongo.get_connection_url(),
                postgres.get_connection_url(driver=None), "127.0.0.1", port, maildir,
            )
        finally:
            sink.terminate()
