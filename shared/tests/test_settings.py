"""Engine addresses: the service's own variable, then the suite-wide one, then the
launcher's state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DEMO_")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "MONGO_URL", "POSTGRES_DSN", "SMTP_HOST",
                 "SMTP_PORT"):
        monkeypatch.delenv(f"MOTCUA_{name}", raising=False)
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path))
    (tmp_path / "engines.json").write_text(json.dumps({
        "kafka": {"bootstrap_servers": "127.0.0.1:9001"},
        "mongo": {"url": "mongodb://127.0.0.1:9002/"},
        "smtp": {"host": "127.0.0.1", "port": 9003},
    }))
    return tmp_path


def test_engine_addresses_come_from_the_state_file(state: Path) -> None:
    settings = DemoSettings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9001"
    assert settings.mongo_url == "mongodb://127.0.0.1:9002/"
    assert settings.smtp_port == 9003
    assert settings.postgres_dsn is None


def test_suite_wide_variable_beats_the_state_file(state: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    assert DemoSettings().kafka_bootstrap_servers == "10.0.0.1:9092"


def test_service_variable_beats_everything(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    monkeypatch.setenv("MOTCUA_DEMO_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.2:9092")
    assert DemoSettings().kafka_bootstrap_servers == "10.0.0.2:9092"


def test_a_missing_engine_is_named_clearly(state: Path) -> None:
    with pytest.raises(RuntimeError, match="MOTCUA_POSTGRES_DSN"):
        DemoSettings().require("postgres_dsn")
