"""What identity's routes answer, as the OpenAPI document describes it.

Each model declares every key its route returns (FastAPI drops undeclared ones). Routes whose
bodies leave keys out (a profile without a phone) answer with ``response_model_exclude_unset``,
so an absent key stays absent rather than becoming ``null``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.http.isotime import IsoDatetime


class Notice(BaseModel):
    """A sentence for the person (Vietnamese)."""

    detail: str


class AccountNotice(BaseModel):
    """An account's state after registering or activating, and a sentence for the person."""

    id: str
    status: str
    detail: str


class TokenPair(BaseModel):
    access_token: str = Field(description="A short-lived JWT (EdDSA), verified by every service.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str = Field(description="Single use: each refresh answers a new one.")
    refresh_expires_in: int = Field(description="Seconds the session (the refresh) lives.")


class Captcha(BaseModel):
    captcha_token: str
    question: str = Field(description="The arithmetic question a person answers (Vietnamese).")
    expires_at: IsoDatetime


class Organisation(BaseModel):
    tax_code: str
    name: str
    address: str
    representative: str


class Profile(BaseModel):
    """The caller's own account: never a secret. The personal fields are those given."""

    id: str
    kind: str
    email: str
    status: str
    agency_code: str | None
    officer_roles: list[str]
    created_at: IsoDatetime | None
    full_name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    organisation: Organisation | None = None


class Jwk(BaseModel):
    """One public signing key (Ed25519, RFC 8037)."""

    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[Jwk]


class DocumentFile(BaseModel):
    name: str
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str


class Document(BaseModel):
    """One paper of the personal document wallet."""

    id: str
    type: str
    number: str
    issued_on: date | None
    issuer: str | None
    file: DocumentFile
    added_at: IsoDatetime


class DocumentList(BaseModel):
    items: list[Document]


class StaffCreated(BaseModel):
    id: str
    kind: str
    status: str


class AccountStatus(BaseModel):
    id: str
    status: str


class StaffMember(BaseModel):
    id: str
    full_name: str
    officer_roles: list[str]
    active: bool


class AgencyStaff(BaseModel):
    agency_code: str
    items: list[StaffMember] = Field(description="Active first, then by name.")
