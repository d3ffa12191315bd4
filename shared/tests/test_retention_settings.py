"""Retention settings of the pruning services: processed-event ids outlive what Kafka can
redeliver, or the service refuses to start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.settings import ProcessedEventsSettings, ServiceSettings


class DemoSettings(ServiceSettings, ProcessedEventsSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DEMO_")


def test_processed_events_are_kept_30_days_and_pruned_hourly_by_default() -> None:
    settings = DemoSettings()
    assert settings.processed_events_retention() == timedelta(days=30)
    assert settings.prune_interval_seconds == 3600


def test_the_retention_comes_from_the_services_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTCUA_DEMO_PROCESSED_EVENTS_RETENTION_DAYS", "15")
    monkeypatch.setenv("MOTCUA_DEMO_PRUNE_INTERVAL_SECONDS", "60")
    settings = DemoSettings()
    assert settings.processed_events_retention() == timedelta(days=15)
    assert settings.prune_interval_seconds == 60


@pytest.mark.parametrize("days", ["14", "7", "0", "-1"])
def test_a_retention_shorter_than_15_days_is_refused_and_says_why(
    monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    monkeypatch.setenv("MOTCUA_DEMO_PROCESSED_EVENTS_RETENTION_DAYS", days)
    with pytest.raises(ValidationError) as refused:
        DemoSettings()
    message = str(refused.value)
    assert "processed_events_retention_days" in message
    assert "at least 15 days" in message and "applied twice" in message
