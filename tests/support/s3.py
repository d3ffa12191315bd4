"""A private S3 server (the launcher's versitygw engine) that a test may stop and start,
without touching the session's engines; and a plain S3 client to look into buckets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from motcua_ops import procs
from motcua_ops.engines.base import Entry
from motcua_ops.engines.s3 import S3Gateway
from motcua_ops.paths import Paths
from motcua_ops.ports import free_port
from shared.blobstore_s3 import s3_client
from tests.support.engines import Engines


class PrivateS3:
    def __init__(self, state: Path) -> None:
        self.gateway = S3Gateway(Paths.resolve(state))
        self.gateway.paths.ensure()
        self.gateway.install()  # cached after the first build
        self.entry: Entry = self.gateway.entry({"port": free_port()})

    def start(self) -> None:
        self.entry["pid"] = self.gateway.start(self.entry)
        procs.wait_ready(
            "s3",
            lambda: self.gateway.answering(self.entry),
            pid=self.entry["pid"],
            timeout=30,
            logs=self.gateway.logs(),
        )

    def stop(self) -> None:
        self.gateway.stop(self.entry)

    def env(self, service: str) -> dict[str, str]:
        prefix = f"MOTCUA_{service.upper()}_BLOB_S3_"
        return {
            prefix + "URL": self.entry["url"],
            prefix + "REGION": self.entry["region"],
            prefix + "ACCESS_KEY": self.entry["access_key"],
            prefix + "SECRET_KEY": self.entry["secret_key"],
        }


@contextmanager
def private_s3(state: Path) -> Iterator[PrivateS3]:
    server = PrivateS3(state)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def engines_s3_client(engines: Engines) -> Any:
    """A client of the session's S3 engine; fails the test where there is none."""
    assert engines.s3_url, "no S3 engine: the engines were given without MOTCUA_S3_URL"
    return s3_client(
        engines.s3_url, engines.s3_access_key, engines.s3_secret_key, engines.s3_region
    )
