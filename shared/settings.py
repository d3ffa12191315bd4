"""Settings common to every service.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``MOTCUA_<SERVICE>_``). Engine addresses come, in order, from the service's
own variable, the suite-wide variable (``MOTCUA_KAFKA_BOOTSTRAP_SERVERS``,
``MOTCUA_POSTGRES_DSN``, ``MOTCUA_SMTP_HOST``/``_PORT``, ``MOTCUA_KAFKA_REPLICATION_FACTOR``)
and the local launcher's state file ``$MOTCUA_STATE_DIR/engines.json``. There the
launcher keeps one PostgreSQL role per service (``postgres.services.<name>.dsn``): a
service started by ``motcua up`` connects as its own role, which owns its own schema
and cannot read another service's.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings


def state_dir() -> Path:
    return Path(os.environ.get("MOTCUA_STATE_DIR", ".motcua")).resolve()


def engines_state() -> dict[str, Any]:
    path = state_dir() / "engines.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _engine_value(engine: str, key: str, env_var: str) -> Any:
    if env_var in os.environ:
        return os.environ[env_var]
    return engines_state().get(engine, {}).get(key)


_ENGINE_FIELDS = {
    "kafka_bootstrap_servers": ("kafka", "bootstrap_servers"),
    "kafka_replication_factor": ("kafka", "replication_factor"),
    "postgres_dsn": ("postgres", "dsn"),
    "smtp_host": ("smtp", "host"),
    "smtp_port": ("smtp", "port"),
}


class ServiceSettings(BaseSettings):
    """Base settings; every field documents itself through its description."""

    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(0, description="HTTP port; 0 lets the system choose.")
    log_level: str = Field("INFO", description="Python log level name.")
    topic_prefix: str = Field(
        "", description="Prefix for every Kafka topic name (isolates test runs)."
    )
    kafka_bootstrap_servers: str | None = Field(None, description="Kafka bootstrap servers.")
    kafka_replication_factor: int = Field(
        1,
        ge=1,
        description="Replicas of each topic this service creates (its events, their DLQ, "
        "notify's changelogs); 1 for the single local broker, 3 on a production cluster.",
    )
    postgres_dsn: str | None = Field(None, description="PostgreSQL DSN of this service's role.")
    postgres_schema: str = Field(
        "",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$|^$",
        description="PostgreSQL schema of every table of this service; default its name.",
    )
    smtp_host: str | None = Field(None, description="SMTP server host.")
    smtp_port: int | None = Field(None, description="SMTP server port.")

    @classmethod
    def service_name(cls) -> str:
        """``dossier`` for ``MOTCUA_DOSSIER_``: the service's schema and role name."""
        prefix = str(cls.model_config.get("env_prefix") or "MOTCUA_SERVICE_")
        return prefix.removeprefix("MOTCUA_").rstrip("_").lower()

    @model_validator(mode="before")
    @classmethod
    def _fill_engines(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("postgres_dsn") is None and "MOTCUA_POSTGRES_DSN" not in os.environ:
            own = engines_state().get("postgres", {}).get("services", {})
            dsn = own.get(cls.service_name(), {}).get("dsn")
            if dsn:
                values["postgres_dsn"] = dsn
        for field, (engine, key) in _ENGINE_FIELDS.items():
            if values.get(field) is None:
                value = _engine_value(engine, key, f"MOTCUA_{field.upper()}")
                if value is not None:
                    values[field] = value
        return values

    def pg_schema(self) -> str:
        return self.postgres_schema or self.service_name()

    def require(self, field: str) -> Any:
        value = getattr(self, field)
        if value in (None, ""):
            raise RuntimeError(
                f"{field} is not configured: start the engines (`motcua up`) "
                f"or set MOTCUA_{field.upper()}"
            )
        return value


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(settings: type[SettingsT]) -> SettingsT:
    """``settings()`` for a process's start: refused settings stop it with their messages
    alone (pydantic's own error would print the input, secrets included)."""
    try:
        return settings()
    except ValidationError as error:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise SystemExit(f"{settings.__name__}: refusing to start: {reasons}") from None


PROCESSED_EVENTS_MIN_DAYS = 15  # twice Kafka's default retention of 7 days, and a day


class PruneSettings(BaseSettings):
    """Mixed into the settings of a service that prunes its tables (``shared.pg.prune``)."""

    prune_interval_seconds: float = Field(
        3600.0, gt=0, description="How often the rows past their retention are deleted."
    )


class ProcessedEventsSettings(PruneSettings):
    """Mixed into the settings of a service whose idempotent consumers record event ids."""

    processed_events_retention_days: int = Field(
        30,
        description="Days a consumed event's id is kept in processed_events against "
        f"redelivery; at least {PROCESSED_EVENTS_MIN_DAYS}.",
    )

    @field_validator("processed_events_retention_days")
    @classmethod
    def _outlives_kafka(cls, days: int) -> int:
        if days < PROCESSED_EVENTS_MIN_DAYS:
            raise ValueError(
                f"processed_events_retention_days is {days}: it must be at least "
                f"{PROCESSED_EVENTS_MIN_DAYS} days, longer than Kafka keeps events (7 days "
                "by default); an event redelivered after its id is pruned would be applied "
                "twice"
            )
        return days

    def processed_events_retention(self) -> timedelta:
        return timedelta(days=self.processed_events_retention_days)


class TokenSettings(BaseSettings):
    """Mixed into the settings of a service whose routes verify the caller's access token
    (shared/http/actor.py): ``MOTCUA_<SERVICE>_JWKS_URL``, ``_TOKEN_ISSUER``, ``_AUDIENCE``."""

    jwks_url: str | None = Field(
        None,
        description="identity's JWK set (<identity>/.well-known/jwks.json), the keys every "
        "caller's access token must be signed with; required: without it the service "
        "does not start.",
    )
    token_issuer: str = Field("motcua-identity", description="Expected `iss` of access tokens.")
    token_audience: str = Field("motcua", description="Expected `aud` of access tokens.")

    def require_jwks_url(self) -> str:
        if not self.jwks_url:
            prefix = str(self.model_config.get("env_prefix") or "MOTCUA_SERVICE_")
            raise RuntimeError(
                f"{prefix}JWKS_URL is not configured: set it to identity's "
                "/.well-known/jwks.json (`motcua up` does)"
            )
        return self.jwks_url
