from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.dossier.domain.filing import AttachmentLimits
from services.dossier.domain.lookup import LookupPolicy
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

    lookup_attempts: int = Field(
        5,
        ge=1,
        description="Tries of one code in the public lookup (code + last 4 of the identity "
        "number) allowed within the lock duration; one more locks the code.",
    )
    lookup_lock_seconds: int = Field(
        900,
        ge=1,
        description="How long a code tried too often stays locked in the public lookup "
        "(answered 429 with Retry-After), and the window its tries are counted in.",
    )

    lookup_refusal_seconds: float = Field(
        0.1,
        ge=0,
        le=5,
        description="Least time before the public lookup answers «not found», so a known "
        "code with a wrong number and an unknown code take the same time; 0 turns it off.",
    )

    def lookup_policy(self) -> LookupPolicy:
        return LookupPolicy(self.lookup_attempts, self.lookup_lock_seconds)

    def eventstore_env(self) -> dict[str, str]:
        """The event store: PostgreSQL, in the service's schema beside its read models."""
        return eventstore_env(
            "postgres", postgres_dsn=self.require("postgres_dsn"), postgres_schema=self.pg_schema()
        )

    def blob_root(self) -> Path:
        return self.blob_dir or state_dir() / "dossier" / "blobs"
