from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.blob_settings import BUCKET_PATTERN, BlobSettings
from shared.eventstore import eventstore_env
from shared.settings import ProcessedEventsSettings, ServiceSettings, TokenSettings, state_dir


class DossierSettings(ServiceSettings, BlobSettings, ProcessedEventsSettings, TokenSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_DOSSIER_")

    relay_port: int = Field(0, description="HTTP port of the outbox relay process.")
    worker_port: int = Field(0, description="HTTP port of the worker (consumers, projector).")
    consumer_group: str = Field("motcua-dossier", description="Kafka consumer group of the worker.")
    blob_dir: Path | None = Field(
        None, description="Attachment store directory; default $MOTCUA_STATE_DIR/dossier/blobs."
    )
    blob_s3_bucket: str = Field(
        "motcua-dossier",
        pattern=BUCKET_PATTERN,
        description="Bucket of attachments and result files when BLOB_S3_URL is set.",
    )

    def eventstore_env(self) -> dict[str, str]:
        """The event store: PostgreSQL, in the service's schema beside its read models."""
        return eventstore_env(
            "postgres", postgres_dsn=self.require("postgres_dsn"), postgres_schema=self.pg_schema()
        )

    def blob_root(self) -> Path:
        return self.blob_dir or state_dir() / "dossier" / "blobs"
