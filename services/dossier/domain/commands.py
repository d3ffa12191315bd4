"""The agency's commands on a dossier, one type each: what an officer asks for, with its
inputs. :meth:`DossierApplication.act_as_officer` applies one to the aggregate, whose
rules (:mod:`services.dossier.domain.rules`) decide whether this officer may."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True)
class Accept:
    """Tiếp nhận: the appointment is computed from the procedure's time limit."""


@dataclass(frozen=True)
class RejectAtReception:
    reason: str


@dataclass(frozen=True)
class RequestSupplement:
    items: list[dict[str, Any]]  # {document_code, reason}
    reason: str


@dataclass(frozen=True)
class StartProcessing:
    pass


@dataclass(frozen=True)
class Assign:
    officer_id: str
    note: str = ""


@dataclass(frozen=True)
class Transfer:
    to_agency: str
    reason: str


@dataclass(frozen=True)
class AddOpinion:
    opinion: str


@dataclass(frozen=True)
class Propose:
    decision: Literal["approve", "reject"]
    note: str


@dataclass(frozen=True)
class Approve:
    result: dict[str, Any]  # number, note and the result file's descriptor if any


@dataclass(frozen=True)
class Reject:
    reason: str


@dataclass(frozen=True)
class Extend:
    reason: str
    new_appointment_at: datetime


@dataclass(frozen=True)
class ReturnResult:
    channel: Literal["office", "post", "online"]


OfficerCommand = (
    Accept
    | RejectAtReception
    | RequestSupplement
    | StartProcessing
    | Assign
    | Transfer
    | AddOpinion
    | Propose
    | Approve
    | Reject
    | Extend
    | ReturnResult
)
