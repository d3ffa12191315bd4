"""Apache Kafka 4.1 broker in KRaft mode (single node, broker+controller), jars from Maven."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.engines.tools import find_tool, run_sync
from motcua_ops.errors import EngineError
from motcua_ops.paths import DEPLOY_DIR
from motcua_ops.ui import step

KAFKA_VERSION = "4.1.2"
POM = DEPLOY_DIR / "kafka-pom.xml"
LOG4J2 = DEPLOY_DIR / "kafka-log4j2.properties"
JVM_HEAP = ["-Xms256m", "-Xmx768m"]


def server_properties(entry: Entry, log_dir: Path) -> str:
    port, cport = entry["port"], entry["controller_port"]
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{cport}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dir={log_dir}
num.partitions=3
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
"""


class Kafka(Engine):
    name = "kafka"
    marker = "kafka.Kafka"
    port_envs: ClassVar[dict[str, str]] = {
        "port": "MOTCUA_KAFKA_PORT",
        "controller_port": "MOTCUA_KAFKA_CONTROLLER_PORT",
    }
    start_timeout = 90.0

    @property
    def home(self) -> Path:
        return self.paths.cache / f"kafka-{KAFKA_VERSION}"

    @property
    def lib(self) -> Path:
        return self.home / "lib"

    def check_prerequisites(self) -> None:
        find_tool("java", "openjdk-17-jre-headless")
        if not self._installed():
            find_tool("mvn", "maven")

    def _fingerprint(self) -> str:
        return hashlib.sha256(POM.read_bytes()).hexdigest()

    def _installed(self) -> bool:
        marker = self.home / ".complete"
        return marker.exists() and marker.read_text().strip() == self._fingerprint()

    def install(self) -> None:
        if self._installed():
            return
        mvn = find_tool("mvn", "maven")
        with step(f"downloading Kafka {KAFKA_VERSION} jars from Maven Central"):
            shutil.rmtree(self.lib, ignore_errors=True)  # drop jars of an older pom
            self.home.mkdir(parents=True, exist_ok=True)
            procs.run(
                [
                    mvn,
                    "-q",
                    "-B",
                    "-f",
                    str(POM),
                    "dependency:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={self.lib}",
                ],
                self.home / "mvn.log",
                what="mvn dependency:copy-dependencies",
            )
            (self.home / ".complete").write_text(self._fingerprint() + "\n")

    def entry(self, ports: dict[str, int]) -> Entry:
        return {
            "bootstrap_servers": f"127.0.0.1:{ports['port']}",
            "port": ports["port"],
            "controller_port": ports["controller_port"],
            "pid": None,
        }

    def _java(self, main: str, *args: str, heap: list[str] | None = None) -> list[str]:
        java = find_tool("java", "openjdk-17-jre-headless")
        return [
            java,
            *(heap or []),
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J2}",
            f"-Dkafka.logs.dir={self.paths.logs}",
            "-cp",
            f"{self.lib}/*",
            main,
            *args,
        ]

    def start(self, entry: Entry) -> int:
        config = self.data_dir / "server.properties"
        data = self.data_dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config.write_text(server_properties(entry, data))
        self._format_once(config, data, entry["controller_port"])
        cmd = self._java("kafka.Kafka", str(config), heap=JVM_HEAP)
        return procs.spawn(cmd, self.paths.log(self.name), cwd=self.data_dir)

    def _format_once(self, config: Path, data: Path, controller_port: int) -> None:
        stamp = self.data_dir / "formatted-controller-port"
        if (data / "meta.properties").exists():
            if stamp.exists() and stamp.read_text().strip() != str(controller_port):
                raise EngineError(
                    f"Kafka storage in {data} was formatted for controller port "
                    f"{stamp.read_text().strip()}, now {controller_port}: unset "
                    f"MOTCUA_KAFKA_CONTROLLER_PORT or delete {self.data_dir} (loses topics)"
                )
            return
        log = self.paths.log("kafka-format")
        uuid = subprocess.run(
            self._java("kafka.tools.StorageTool", "random-uuid"),
            capture_output=True,
            text=True,
            check=False,
        )
        if uuid.returncode != 0 or not uuid.stdout.strip():
            raise EngineError(f"kafka StorageTool random-uuid failed:\n{uuid.stderr[-2000:]}")
        cluster_id = uuid.stdout.strip().splitlines()[-1]
        procs.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(config),
            ),
            log,
            what="kafka StorageTool format",
        )
        stamp.write_text(f"{controller_port}\n")

    def answering(self, entry: Entry) -> bool:
        return run_sync(metadata_ok(entry["bootstrap_servers"]))

    def logs(self) -> list[Path]:
        return [self.paths.log(self.name), self.paths.logs / "kafka-server.log"]


async def metadata_ok(bootstrap: str, timeout_ms: int = 3000) -> bool:
    """True if the broker answers a metadata request listing at least one broker."""
    from aiokafka import AIOKafkaClient

    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        await asyncio.wait_for(client.bootstrap(), timeout_ms / 1000)
        return bool(client.cluster.brokers())
    except Exception:
        return False
    finally:
        await client.close()
        quiet.setLevel(level)
