"""The integration-event envelope: CloudEvents 1.0 plus Một Cửa extension attributes.

Serialised in CloudEvents *structured* mode (``application/cloudevents+json``)
as the Kafka protocol binding allows; the Kafka key is the subject (aggregate id).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENT_NAMESPACE = uuid.UUID("6f1c5a8e-3b0d-5d6e-9a51-7b3c0e2f4d11")
CONTENT_TYPE = "application/cloudevents+json"


class Actor(BaseModel):
    """Who caused the change: a user with a role, possibly for an agency, or a system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="User id, or the service name for system actions.")
    role: str = Field(description="citizen, organisation, officer, auditor, admin or system.")
    agency: str | None = Field(None, description="Agency code when acting for an agency.")
    officer_roles: tuple[str, ...] = Field(
        (), description="An officer's duties: receiver, processor, approver, agency_admin."
    )


class IntegrationEvent(BaseModel):
    """One event crossing a service boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(description="Unique and stable: a republished event keeps its id.")
    source: str = Field(description="Producing service, e.g. /motcua/dossier.")
    type: str = Field(pattern=r"^vn\.motcua\.[a-z_]+\.[a-z_.]+$")
    subject: str = Field(description="Aggregate id; also the Kafka key.")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    sequence: int = Field(ge=1, description="Position of this event within its subject.")
    schemaversion: int = Field(1, ge=1)
    actor: Actor
    correlationid: str | None = None
    causationid: str | None = None

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must be timezone-aware")
        return value.astimezone(UTC)

    @classmethod
    def of(
        cls,
        *,
        context: str,
        kind: str,
        subject: str,
        sequence: int,
        data: dict[str, Any],
        actor: Actor,
        time: datetime,
        correlation_id: str | None = None,
    ) -> IntegrationEvent:
        """The event at ``sequence`` of ``subject``, published by ``context``: its id, source
        and type follow from those, so every service builds them the same way."""
        return cls(
            id=cls.stable_id(subject, sequence),
            source=f"/motcua/{context}",
            type=f"vn.motcua.{context}.{kind}",
            subject=subject,
            time=time,
            data=data,
            sequence=sequence,
            actor=actor,
            correlationid=correlation_id,
        )

    @staticmethod
    def stable_id(subject: str, sequence: int) -> uuid.UUID:
        """The id of the event at ``sequence`` of ``subject``: the same on every republish."""
        return uuid.uuid5(EVENT_NAMESPACE, f"{subject}/{sequence}")

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> IntegrationEvent:
        return cls.model_validate_json(raw)

    @property
    def context(self) -> str:
        return self.type.split(".")[2]
