from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ProcessedEventsSettings, ServiceSettings, TokenSettings, state_dir


class NotifySettings(ServiceSettings, ProcessedEventsSettings, TokenSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_NOTIFY_")

    consumer_group: str = Field("motcua-notify", description="Kafka consumer group id.")
    mail_from: str = Field("Một Cửa <no-reply@motcua.local>", description="Sender of every email.")
    portal_url: str = Field(
        "http://127.0.0.1:8000", description="Public portal address used in email links."
    )
    link_seal_private_key: str | None = Field(
        None, description="X25519 private key (base64url) opening the links identity seals."
    )
    link_seal_key_file: Path | None = Field(
        None,
        description="Key file created at first start (0600) with its public half beside it "
        "as <file>.pub; defaults to $MOTCUA_STATE_DIR/notify/link-seal.key.",
    )
    link_seal_public_key_file: Path | None = Field(
        None,
        description="Where the key file's public half is written for identity; defaults "
        "to beside it (<file>.pub). docker-compose.yml writes it to a volume identity "
        "mounts read-only, so identity never sees notify's private key.",
    )

    topic_partitions: int = Field(
        3, description="Partitions of the consumed topics; faust's tables use the same count."
    )
    smtp_attempts: int = Field(
        4,
        description="SMTP attempts before an email is marked failed (identity emails: "
        "before their event goes to the DLQ).",
    )
    smtp_backoff_seconds: float = Field(
        1.0, description="First pause between SMTP attempts; doubles after each failure."
    )
    email_concurrency: int = Field(
        4, description="Emails sent at once by one notify process (one SMTP connection each)."
    )
    email_lease_seconds: float = Field(
        30.0,
        description="How long a claimed email is another sender's; a sender that died "
        "holding it leaves it to be sent again after this (same Message-ID).",
    )
    email_sweep_seconds: float = Field(
        1.0, description="How often the email sender looks for due retries without a NOTIFY."
    )
    batch_size: int = Field(
        100, description="Most dossier events the agent handles in one PostgreSQL transaction."
    )
    batch_seconds: float = Field(
        0.05,
        description="How long the dossier agent waits to fill a batch before handling what "
        "it has (the delay an event may wait at low rates).",
    )
    reminder_interval_seconds: float = Field(
        60.0, description="How often the deadline-reminder timer looks at open dossiers."
    )
    templates_dir: Path | None = Field(
        None,
        description="Directory searched before the packaged email templates "
        "(override one template by giving a file of the same name).",
    )
    stream_keepalive_seconds: float = Field(
        15.0,
        description="Comment sent on an idle notification stream (the gateway cuts "
        "idle upstreams at 30 s).",
    )

    def faust_datadir(self) -> Path:
        return state_dir() / "notify" / "faust" / self.consumer_group

    def seal_key_file(self) -> Path:
        return self.link_seal_key_file or state_dir() / "notify" / "link-seal.key"
