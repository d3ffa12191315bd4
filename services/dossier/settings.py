from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.blob_settings import BUCKET_PATTERN, BlobSettings
from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings, state_dir


class DossierSettings(ServiceSettings, BlobSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DOSSIER_")

    event_store: Literal["sqlite", "postgres"] = Field(
        "sqlite", description="Where dossier events are stored."
    )
    sqlite_path: Path | None = Field(
        None, description="SQLite event store file; default $MOTCUA_STATE_DIR/dossier/events.db."
    )
    postgres_schema: str = Field("", description="PostgreSQL schema for the event store.")
    relay_port: int = Field(0, description="HTTP port of the outbox relay process.")
    worker_port: int = Field(0, description="HTTP port of the worker (consumers, projector).")
    mongo_database: str = Field(
        "motcua_dossier", description="MongoDB database: procedures, calendar, read models."
    )
    consumer_group: str = Field(
        "motcua-dossier", description="Kafka consumer group of the worker."
    )
    blob_dir: Path | None = Field(
        None, description="Attachment store directory; default $MOTCUA_STATE_DIR/dossier/blobs."
    )
    blob_s3_bucket: str = Field(
        "motcua-dossier", pattern=BUCKET_PATTERN,
        description="Bucket of attachments and result files when BLOB_S3_URL is set.",
    )

    def eventstore_env(self) -> dict[str, str]:
        return eventstore_env(
            self.event_store,
            sqlite_path=self.sqlite_path or state_dir() / "dossier" / "events.db",
            postgres_dsn=self.postgres_dsn,
            postgres_schema=self.postgres_schema,
        )

    def blob_root(self) -> Path:
        return self.blob_dir or state_dir() / "dossier" / "blobs"
