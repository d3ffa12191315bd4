from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings, state_dir


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_PAYMENT_")

    mongo_database: str = Field("motcua_payment", description="MongoDB database of payment.")
    event_store: Literal["sqlite", "postgres"] = Field(
        "sqlite", description="Where payment events are stored."
    )
    sqlite_path: Path | None = Field(
        None, description="SQLite event store file; default $MOTCUA_STATE_DIR/payment/events.db."
    )
    postgres_schema: str = Field("", description="PostgreSQL schema for the event store.")

    def eventstore_env(self) -> dict[str, str]:
        return eventstore_env(
            self.event_store,
            sqlite_path=self.sqlite_path or state_dir() / "payment" / "events.db",
            postgres_dsn=self.postgres_dsn,
            postgres_schema=self.postgres_schema,
        )
