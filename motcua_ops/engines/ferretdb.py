"""FerretDB 1.24 (MongoDB wire protocol, SQLite backend), built from source with Go."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.engines.tools import find_tool
from motcua_ops.errors import EngineError
from motcua_ops.ui import step

MODULE = "github.com/FerretDB/FerretDB"
# v1.24.1 is refused by the Go proxy here (403, also for the version list); v1.24.0 works.
VERSION = "v1.24.0"
GO_PACKAGE = "the Go toolchain >= 1.22 (https://go.dev/dl)"


class FerretDB(Engine):
    name = "mongo"
    marker = "ferretdb"
    port_envs: ClassVar[dict[str, str]] = {"port": "MOTCUA_MONGO_PORT"}
    start_timeout = 30.0

    @property
    def home(self) -> Path:
        return self.paths.cache / "ferretdb"

    @property
    def binary(self) -> Path:
        return self.home / "bin" / "ferretdb"

    @property
    def data_dir(self) -> Path:
        return self.paths.state / "ferretdb"

    def check_prerequisites(self) -> None:
        if not self.binary.exists():
            find_tool("go", GO_PACKAGE)

    def install(self) -> None:
        if self.binary.exists():
            return
        go = find_tool("go", GO_PACKAGE)
        env = go_env()
        log = self.home / "build.log"
        self.home.mkdir(parents=True, exist_ok=True)
        with step(f"downloading FerretDB {VERSION} source (Go module proxy)"):
            module_dir = download_module(go, env, log)
        src = self.home / "src"
        with step(f"building FerretDB {VERSION} with Go (a few minutes on 2 cores)"):
            shutil.rmtree(src, ignore_errors=True)
            shutil.copytree(module_dir, src, symlinks=True)
            make_writable(src)
            # Without build/version/version.txt the binary panics at start-up.
            (src / "build" / "version" / "version.txt").write_text(f"{VERSION}\n")
            tmp = self.binary.with_name("ferretdb.tmp")
            tmp.parent.mkdir(parents=True, exist_ok=True)
            procs.run(
                [go, "build", "-o", str(tmp), "./cmd/ferretdb"],
                log,
                what="go build ferretdb",
                cwd=src,
                env=env,
            )
            os.replace(tmp, self.binary)

    def entry(self, ports: dict[str, int]) -> Entry:
        return {"url": f"mongodb://127.0.0.1:{ports['port']}/", "port": ports["port"], "pid": None}

    def start(self, entry: Entry) -> int:
        data = self.data_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(self.binary),
            "--handler=sqlite",
            f"--sqlite-url=file:{data}/",
            f"--state-dir={self.data_dir}",
            f"--listen-addr=127.0.0.1:{entry['port']}",
            "--debug-addr=-",  # "-" disables the debug/metrics HTTP listener
            "--telemetry=disable",
            "--log-level=ERROR",  # WARN logs every client's unsupported endSessions
        ]
        return procs.spawn(cmd, self.paths.log(self.name), cwd=self.data_dir)

    def answering(self, entry: Entry) -> bool:
        from pymongo import MongoClient
        from pymongo.errors import PyMongoError

        client: MongoClient[dict[str, object]] = MongoClient(
            entry["url"], serverSelectionTimeoutMS=1500, connectTimeoutMS=1500
        )
        try:
            client.admin.command("ping")
            return True
        except PyMongoError:
            return False
        finally:
            client.close()


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GOTOOLCHAIN"] = "local"  # never download another toolchain
    env["GOFLAGS"] = " ".join(filter(None, [env.get("GOFLAGS", ""), "-mod=mod"]))
    return env


def download_module(go: str, env: dict[str, str], log: Path) -> Path:
    """`go mod download` FerretDB into GOMODCACHE (via a throwaway go.mod); its directory."""
    with tempfile.TemporaryDirectory(prefix="motcua-ferretdb-") as tmp:
        (Path(tmp) / "go.mod").write_text("module motcua.local/fetch\n\ngo 1.22\n")
        result = subprocess.run(
            [go, "mod", "download", "-json", f"{MODULE}@{VERSION}"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    with open(log, "a") as handle:
        handle.write(result.stdout + result.stderr)
    try:
        info = json.loads(result.stdout)
    except json.JSONDecodeError:
        info = {}
    if result.returncode != 0 or not info.get("Dir"):
        detail = info.get("Error") or result.stderr.strip() or result.stdout.strip()
        raise EngineError(f"go mod download {MODULE}@{VERSION} failed: {detail}")
    return Path(info["Dir"])


def make_writable(root: Path) -> None:
    """The module cache is read-only; the copy must be writable (chmod -R u+w)."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
