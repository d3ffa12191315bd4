"""Versity S3 Gateway (versitygw, Apache 2.0): the S3 protocol over a POSIX directory.

Built from source with Go into the cache; one small process per state
dir, single-account mode. The root keys are generated once per state dir and kept in
``<state>/s3/credentials.json`` (0600); they reach versitygw through its environment,
never its command line, and the services through the launcher's environment.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, ClassVar

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.engines.tools import find_tool
from motcua_ops.ui import step

MODULE = "github.com/versity/versitygw/cmd/versitygw"
VERSION = "v1.8.0"
REGION = "us-east-1"
ACCESS_KEY = "motcua"
GO_PACKAGE = "the Go toolchain >= 1.25 (https://go.dev/dl)"  # versitygw's go.mod


class S3Gateway(Engine):
    name = "s3"
    marker = "versitygw"
    port_envs: ClassVar[dict[str, str]] = {"port": "MOTCUA_S3_PORT"}
    start_timeout = 30.0

    @property
    def home(self) -> Path:
        return self.paths.cache / "versitygw"

    @property
    def binary(self) -> Path:
        # the version in the path: a new pin builds a new binary beside the old one
        return self.home / VERSION / "versitygw"

    @property
    def root(self) -> Path:
        """The directory versitygw serves: one sub-directory per bucket."""
        return self.data_dir / "data"

    def check_prerequisites(self) -> None:
        if not self.binary.exists():
            find_tool("go", GO_PACKAGE)

    def install(self) -> None:
        if self.binary.exists():
            return
        go = find_tool("go", GO_PACKAGE)
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        build = self.home / VERSION / "gobin"
        # GOTOOLCHAIN=local: never download another toolchain
        env = {**os.environ, "GOTOOLCHAIN": "local", "GOBIN": str(build), "CGO_ENABLED": "0"}
        with step(f"building versitygw {VERSION} with Go (about a minute)"):
            procs.run(
                [go, "install", f"{MODULE}@{VERSION}"],
                self.home / "build.log",
                what="go install versitygw",
                cwd=self.home,
                env=env,
            )
            os.replace(build / "versitygw", self.binary)

    def credentials(self) -> dict[str, str]:
        """This state dir's root keys, created on first use (file mode 0600)."""
        path = self.data_dir / "credentials.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            keys = {"access_key": ACCESS_KEY, "secret_key": secrets.token_urlsafe(30)}
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as out:
                    json.dump(keys, out)
        data: dict[str, str] = json.loads(path.read_text())
        return data

    def entry(self, ports: dict[str, int]) -> Entry:
        keys = self.credentials()
        return {
            "url": f"http://127.0.0.1:{ports['port']}",
            "port": ports["port"],
            "region": REGION,
            "access_key": keys["access_key"],
            "secret_key": keys["secret_key"],
            "pid": None,
        }

    def start(self, entry: Entry) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "ROOT_ACCESS_KEY": entry["access_key"],
            "ROOT_SECRET_KEY": entry["secret_key"],
            "VGW_REGION": entry["region"],
        }
        cmd = [
            str(self.binary),
            "--port",
            f"127.0.0.1:{entry['port']}",
            "--quiet",
            "posix",
            str(self.root),
        ]
        return procs.spawn(cmd, self.paths.log(self.name), env=env, cwd=self.data_dir)

    def answering(self, entry: Entry) -> bool:
        """A signed ListBuckets answers (not only an open port)."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = s3_client(entry)
        try:
            client.list_buckets()
            return True
        except (BotoCoreError, ClientError):
            return False
        finally:
            client.close()


def s3_client(entry: Entry) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=entry["url"],
        region_name=entry["region"],
        aws_access_key_id=entry["access_key"],
        aws_secret_access_key=entry["secret_key"],
        config=Config(
            connect_timeout=1.5,
            read_timeout=3,
            retries={"max_attempts": 1},
            s3={"addressing_style": "path"},
        ),
    )
