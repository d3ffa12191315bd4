from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings, state_dir


class DossierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DOSSIER_")

    event_store: Literal["sqlite", "postgres"] = Field(
        "sqlite", description="Where dossier events are stored."
    )
    sqlite_path: Path | None = Field(
        None, description="SQLite event store file; default $MOTCUA_STATE_DIR/dossier/events.db."
    )
    postgres_schema: str = Field("", description="PostgreSQL schema for the event store.")
    relay_port: int = Field(0, description="HTTP port of the outbox relay process.")

    def eventstore_env(self) -> dict[str, str]:
        return eventstore_env(
            self.event_store,
            sqlite_path=self.sqlite_path or state_dir() / "dossier" / "events.db",
            postgres_dsn=self.postgres_dsn,
            postgres_schema=self.postgres_schema,
        )
