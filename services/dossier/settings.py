from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.dossier.domain.filing import AttachmentLimits
from shared.blob_settings import BUCKET_PATTERN, BlobSettings
from shared.eventstore import eventstore_env
from shared.settings import ProcessedEventsSettings, ServiceSettings, state_dir


class DossierSettings(ServiceSettings, BlobSettings, ProcessedEventsSettings):
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

    max_attachments: int = Field(
        50,
        ge=1,
        le=1000,
        description="Attachments one dossier may hold (uploads and wallet "
        "references); one more is refused (422 dossier-attachment-limit).",
    )
    max_attachment_bytes: int = Field(
        100 * 1024 * 1024,
        ge=1,
        description="Bytes the uploaded files of one dossier may add up to; an upload "
        "beyond is refused before it is stored (422 dossier-attachment-limit).",
    )

    def attachment_limits(self) -> AttachmentLimits:
        return AttachmentLimits(self.max_attachments, self.max_attachment_bytes)

    def eventstore_env(self) -> dict[str, str]:
        """The event store: PostgreSQL, in the service's schema beside its read models."""
        return eventstore_env(
            "postgres", postgres_dsn=self.require("postgres_dsn"), postgres_schema=self.pg_schema()
        )

    def blob_root(self) -> Path:
        return self.blob_dir or state_dir() / "dossier" / "blobs"
