"""What the dossier routes answer, where the answer is the route's own (a new version, an
action's outcome, an audit bundle); the dossier's views are the use cases' types in
:mod:`services.dossier.application`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.dossier.application.readmodels import QueueSizes
from services.dossier.application.timeline import TimelineStep
from services.dossier.application.views import DossierView, EventRecord
from services.dossier.domain.chain import ChainSummary
from shared.http.isotime import IsoDatetime


class Reply(BaseModel):
    """A route's answer: a key the handler gives but the model does not declare is an
    error (found by the tests), never silently dropped from what clients read."""

    model_config = ConfigDict(extra="forbid")


class DraftStarted(Reply):
    id: str
    status: str


class Submitted(Reply):
    id: str
    code: str
    status: str


class NewVersion(Reply):
    """The dossier's version after the change."""

    version: int


class UploadedAttachment(Reply):
    id: str
    document_code: str
    name: str
    content_type: str
    size: int
    sha256: str
    source: str
    version: int


class WalletAttachment(Reply):
    id: str
    document_code: str
    source: str
    wallet_document_id: str
    type: str | None
    number: str | None
    name: str | None
    version: int


class Timeline(Reply):
    steps: list[TimelineStep]


class QueueCounts(Reply):
    agency: str
    counts: QueueSizes


class OfficerActionDone(Reply):
    id: str
    status: str
    version: int


class ApprovedDossier(OfficerActionDone):
    result: dict[str, Any] | None  # the result's data and its file's descriptor


class EventLog(Reply):
    dossier_id: str
    events: list[EventRecord]


class StateAsOf(Reply):
    as_of: IsoDatetime
    dossier: DossierView


class AuditExport(Reply):
    dossier: DossierView
    chain: ChainSummary
    events: list[EventRecord]
