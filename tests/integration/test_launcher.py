"""The local launcher for real: start every engine, use each one, stop, leave nothing.

Uses its own state dir (and so its own ports), never the developer's `.motcua`.
"""

from __future__ import annotations

import asyncio
import json
import os
import smtplib
import socket
import subprocess
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from motcua_ops import procs
from motcua_ops.engines import ensure_engines, stop_engines
from motcua_ops.engines.s3 import s3_client
from motcua_ops.paths import REPO_ROOT
from motcua_ops.services import SERVICES
from motcua_ops.state import engine_state_path, load_engines

pytestmark = pytest.mark.integration

MARKERS = {
    "kafka": "kafka.Kafka",
    "postgres": "postgres",
    "smtp": "motcua_ops.smtp_sink",
    "s3": "versitygw",
}


def cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTCUA_STATE_DIR": str(state), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "motcua_ops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def our_processes(state: Path) -> list[str]:
    """Live (non-zombie) processes whose command line mentions this state dir."""
    found = []
    for entry in Path("/proc").iterdir():
        if (
            entry.name.isdigit()
            and str(state) in procs.cmdline(int(entry.name))
            and procs.pid_alive(int(entry.name))
        ):
            found.append(f"{entry.name}: {procs.cmdline(int(entry.name))}")
    return found


async def kafka_round_trip(bootstrap: str) -> bytes:
    topic = f"launcher-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"xin chao", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=f"g-{topic}"
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
        return bytes(record.value or b"")
    finally:
        await consumer.stop()


def test_engines_up_answer_and_down_leaves_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    try:
        engines = ensure_engines(state)
        assert set(engines) == {"kafka", "postgres", "smtp", "s3"}
        assert load_engines(state) == engines
        assert engine_state_path(state).exists()
        for name, entry in engines.items():
            assert procs.pid_alive(entry["pid"], MARKERS[name]), name

        assert asyncio.run(kafka_round_trip(engines["kafka"]["bootstrap_servers"])) == b"xin chao"

        with psycopg.connect(engines["postgres"]["dsn"]) as conn:
            assert conn.execute("SELECT current_database(), 1").fetchone() == ("motcua", 1)
        assert_each_service_owns_only_its_schema(engines["postgres"]["services"])

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.vn", "b@x.vn", "Thử"
        message.set_content("nội dung")
        with smtplib.SMTP(engines["smtp"]["host"], engines["smtp"]["port"], timeout=10) as smtp:
            smtp.send_message(message)
        assert len(list(Path(engines["smtp"]["maildir"]).glob("*.eml"))) == 1

        s3 = s3_client(engines["s3"])
        s3.create_bucket(Bucket="launcher-test")
        s3.put_object(Bucket="launcher-test", Key="ho-so.txt", Body="Hồ sơ".encode())
        assert s3.get_object(Bucket="launcher-test", Key="ho-so.txt")["Body"].read() == (
            "Hồ sơ".encode()
        )
        s3.close()

        again = ensure_engines(state)  # idempotent: same processes, same addresses
        assert again == engines

        status = cli(state, "engines", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        up = cli(state, "engines", "up")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "starting" not in up.stdout
        assert load_engines(state) == engines

        down = cli(state, "engines", "down")
        assert down.returncode == 0, down.stdout + down.stderr
        for name, entry in engines.items():
            assert not procs.pid_alive(entry["pid"]), name
        assert our_processes(state) == []
        assert cli(state, "engines", "status").returncode == 1
        assert all(entry["pid"] is None for entry in load_engines(state).values())

        # Restart keeps the addresses and the data.
        restarted = ensure_engines(state)
        assert {k: v["port"] for k, v in restarted.items()} == {
            k: v["port"] for k, v in engines.items()
        }
        with psycopg.connect(restarted["postgres"]["services"]["dossier"]["dsn"]) as conn:
            assert conn.execute("SELECT ho_ten FROM dossier.secret").fetchall() == [
                ("Nguyễn Văn A",)
            ]
        s3 = s3_client(restarted["s3"])
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="launcher-test")["Contents"]] == [
            "ho-so.txt"
        ]
        s3.close()
    finally:
        stop_engines(state)
    assert our_processes(state) == []
    assert cli(state, "engines", "down").returncode == 0  # idempotent


def assert_each_service_owns_only_its_schema(services: dict[str, dict[str, str]]) -> None:
    assert set(services) == {"identity", "catalog", "dossier", "payment", "notify", "gateway"}
    with psycopg.connect(services["dossier"]["dsn"], autocommit=True) as dossier:
        dossier.execute("CREATE TABLE dossier.secret (ho_ten text)")
        dossier.execute("INSERT INTO dossier.secret VALUES ('Nguyễn Văn A')")
        assert dossier.execute("SELECT unaccent('Hồ sơ')").fetchone() == ("Ho so",)
    with psycopg.connect(services["identity"]["dsn"], autocommit=True) as identity:
        identity.execute("CREATE TABLE identity.own (id int)")  # its own schema: allowed
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            identity.execute("SELECT * FROM dossier.secret")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            identity.execute("CREATE TABLE dossier.intruder (id int)")


def test_suite_up_serves_every_service_and_down_leaves_nothing(tmp_path: Path) -> None:
    """`motcua up` (what `make up` runs): engines and every real service process."""
    state = tmp_path / "suite"
    gateway_port = procs_free_port()
    os.environ["MOTCUA_GATEWAY_PORT"] = str(gateway_port)
    try:
        up = cli(state, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"Cổng thông tin (portal): http://127.0.0.1:{gateway_port}/" in up.stdout
        services = json.loads((state / "services.json").read_text())
        assert set(services) == {spec.name for spec in SERVICES}
        assert {
            "identity",
            "catalog",
            "dossier",
            "dossier-relay",
            "payment",
            "notify",
            "gateway",
        } <= set(services)
        for name, entry in services.items():
            assert httpx.get(f"{entry['url']}/readyz", timeout=10).status_code == 200, name
        s3_url = load_engines(state)["s3"]["url"]
        for name in ("dossier", "identity"):  # files go to the S3 engine, as in a province
            environ = Path(f"/proc/{services[name]['pid']}/environ").read_bytes().split(b"\0")
            assert f"MOTCUA_{name.upper()}_BLOB_S3_URL={s3_url}".encode() in environ, name
        landing = httpx.get(f"http://127.0.0.1:{gateway_port}/", timeout=10)
        assert "Cổng dịch vụ công Một Cửa" in landing.text
        assert cli(state, "status").returncode == 0

        down = cli(state, "down")
        assert down.returncode == 0, down.stdout + down.stderr
        for name, entry in services.items():
            assert not procs.pid_alive(entry["pid"]), name
        for name, entry in load_engines(state).items():
            assert entry["pid"] is None, name
        assert our_processes(state) == []
        assert cli(state, "status").returncode == 1
    finally:
        os.environ.pop("MOTCUA_GATEWAY_PORT", None)
        cli(state, "down")


def procs_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
