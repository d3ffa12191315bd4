"""The CLI's own flow (`up`, `status`, `down`, `seed`) with the engines stubbed out and a
throwaway HTTP module standing in for the services."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from motcua_ops import cli, services
from motcua_ops.seed import seed_demo
from motcua_ops.services import ServiceSpec
from motcua_ops.tests.test_services import FAKE


@pytest.fixture
def fake_world(monkeypatch, tmp_path: Path) -> Path:
    (tmp_path / "fakegw.py").write_text(FAKE)
    monkeypatch.setenv("FAKE_PORT_ENV", "FAKE_GW_PORT")
    monkeypatch.delenv("FAKE_GW_PORT", raising=False)
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(
        services, "SERVICES", [ServiceSpec("gateway", "fakegw", "FAKE_GW_PORT", cwd=tmp_path)]
    )
    monkeypatch.setattr(cli, "ensure_engines", lambda state: {})
    monkeypatch.setattr(cli, "stop_engines", lambda state: [])
    monkeypatch.setattr(cli, "engine_status", lambda state: [])
    return tmp_path


def test_up_status_down(fake_world: Path) -> None:
    runner = CliRunner()
    up = runner.invoke(cli.app, ["up"])
    assert up.exit_code == 0, up.output
    portal = re.search(r"Cổng thông tin \(portal\): (http://127\.0\.0\.1:\d+/)", up.output)
    assert portal, up.output

    status = runner.invoke(cli.app, ["status"])
    assert status.exit_code == 0, status.output
    assert "running" in status.output

    down = runner.invoke(cli.app, ["down"])
    assert down.exit_code == 0
    assert "stopped: gateway" in down.output
    assert runner.invoke(cli.app, ["status"]).exit_code == 1
    assert "nothing was running" in runner.invoke(cli.app, ["down"]).output


METRICS = """\
# TYPE motcua_consumer_lag gauge
motcua_consumer_lag{group="dossier",partition="0",topic="motcua.payment.events"} 3.0
motcua_consumer_lag{group="dossier",partition="1",topic="motcua.payment.events"} 4.0
# TYPE motcua_outbox_lag gauge
motcua_outbox_lag{relay="kafka-relay:payment:motcua.payment.events"} 2.0
"""


def test_status_shows_each_process_total_consumer_and_relay_lag(
    fake_world: Path, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_METRICS", METRICS)
    runner = CliRunner()
    assert runner.invoke(cli.app, ["up"]).exit_code == 0
    try:
        status = runner.invoke(cli.app, ["status"])
        header, row = (
            next(line for line in status.output.splitlines() if word in line)
            for word in ("┃ service", "│ gateway")
        )
        assert [cell.strip() for cell in header.split("┃")][4:7] == ["state", "lag", "outbox"]
        assert [cell.strip() for cell in row.split("│")][4:7] == ["running", "7", "2"], row
        assert "…" not in row  # fits 80 columns
    finally:
        runner.invoke(cli.app, ["down"])


def test_a_process_without_consumers_shows_no_lag() -> None:
    assert services.lag_totals("# TYPE up gauge\nup 1.0\n") == (None, None)
    assert services.lag_totals(METRICS) == (7, 2)


def test_missing_prerequisite_is_one_line_and_exit_2(fake_world: Path, monkeypatch) -> None:
    from motcua_ops.errors import MissingPrerequisite

    def missing(state: Path) -> dict[str, object]:
        raise MissingPrerequisite("java", "openjdk-17-jre-headless")

    monkeypatch.setattr(cli, "ensure_engines", missing)
    result = CliRunner().invoke(cli.app, ["engines", "up"])
    assert result.exit_code == 2
    assert (
        "java not found: install openjdk-17-jre-headless; see deploy/local/install.sh"
        in result.output
    )


def test_seed_without_seeders(tmp_path: Path) -> None:
    assert seed_demo(tmp_path, modules=["nosuch.seed"], root=tmp_path) == []


def test_seed_runs_sync_and_async_seeders(monkeypatch, tmp_path: Path) -> None:
    for name, body in [
        ("syncseed", "def seed_demo():\n    return ['a']\n"),
        ("asyncseed", "async def seed_demo():\n    return 2\n"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "seed.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    ran = seed_demo(tmp_path, modules=["syncseed.seed", "asyncseed.seed"], root=tmp_path)
    assert ran == ["syncseed.seed", "asyncseed.seed"]
