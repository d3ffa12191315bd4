"""Engine addresses: the service's own variable, then the suite-wide one, then the
launcher's state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DEMO_")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_REPLICATION_FACTOR",
        "DEMO_KAFKA_REPLICATION_FACTOR",
        "POSTGRES_DSN",
        "SMTP_HOST",
        "SMTP_PORT",
        "DEMO_POSTGRES_DSN",
        "DEMO_POSTGRES_SCHEMA",
    ):
        monkeypatch.delenv(f"MOTCUA_{name}", raising=False)
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path))
    (tmp_path / "engines.json").write_text(
        json.dumps(
            {
                "kafka": {"bootstrap_servers": "127.0.0.1:9001"},
                "smtp": {"host": "127.0.0.1", "port": 9003},
            }
        )
    )
    return tmp_path


def _with_postgres(state: Path) -> None:
    engines = json.loads((state / "engines.json").read_text())
    engines["postgres"] = {
        "dsn": "postgresql://motcua:motcua@127.0.0.1:9004/motcua",
        "services": {
            "demo": {"dsn": "postgresql://motcua_demo:s3cret@127.0.0.1:9004/motcua"},
            "other": {"dsn": "postgresql://motcua_other:x@127.0.0.1:9004/motcua"},
        },
    }
    (state / "engines.json").write_text(json.dumps(engines))


def test_engine_addresses_come_from_the_state_file(state: Path) -> None:
    settings = DemoSettings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9001"
    assert settings.smtp_port == 9003
    assert settings.postgres_dsn is None


def test_a_service_connects_as_its_own_role_in_its_own_schema(state: Path) -> None:
    _with_postgres(state)
    settings = DemoSettings()
    assert settings.postgres_dsn == "postgresql://motcua_demo:s3cret@127.0.0.1:9004/motcua"
    assert settings.pg_schema() == "demo"


def test_the_suite_wide_dsn_and_schema_variables_beat_the_roles(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_postgres(state)
    monkeypatch.setenv("MOTCUA_POSTGRES_DSN", "postgresql://admin:a@10.0.0.5/motcua")
    monkeypatch.setenv("MOTCUA_DEMO_POSTGRES_SCHEMA", "t123")
    assert DemoSettings().postgres_dsn == "postgresql://admin:a@10.0.0.5/motcua"
    assert DemoSettings().pg_schema() == "t123"
    monkeypatch.setenv("MOTCUA_DEMO_POSTGRES_DSN", "postgresql://own:o@10.0.0.6/motcua")
    assert DemoSettings().postgres_dsn == "postgresql://own:o@10.0.0.6/motcua"


def test_suite_wide_variable_beats_the_state_file(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    assert DemoSettings().kafka_bootstrap_servers == "10.0.0.1:9092"


def test_service_variable_beats_everything(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    monkeypatch.setenv("MOTCUA_DEMO_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.2:9092")
    assert DemoSettings().kafka_bootstrap_servers == "10.0.0.2:9092"


def test_a_missing_engine_is_named_clearly(state: Path) -> None:
    with pytest.raises(RuntimeError, match="MOTCUA_POSTGRES_DSN"):
        DemoSettings().require("postgres_dsn")


def test_topics_have_one_replica_for_the_local_broker_by_default(state: Path) -> None:
    assert DemoSettings().kafka_replication_factor == 1


def test_the_replication_factor_is_suite_wide_or_the_service_own(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_REPLICATION_FACTOR", "3")
    assert DemoSettings().kafka_replication_factor == 3
    monkeypatch.setenv("MOTCUA_DEMO_KAFKA_REPLICATION_FACTOR", "2")
    assert DemoSettings().kafka_replication_factor == 2


def test_a_replication_factor_below_one_is_refused(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_REPLICATION_FACTOR", "0")
    with pytest.raises(ValidationError, match="kafka_replication_factor"):
        DemoSettings()
