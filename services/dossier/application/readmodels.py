"""What the read models hold for one dossier, derived from its state and events only.

Because every row is a function of the dossier at a version, projecting live
and rebuilding from zero give the same rows.
"""

from __future__ import annotations

from typing import Any

from pydantic import with_config
from typing_extensions import TypedDict

from services.dossier.application.views import CLOSED, LocalTime
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.status import LABELS, NATIONAL_CODES
from shared.http.isotime import IsoDatetime
from shared.vn.text import fold

LIST = "dossier_list"
QUEUE = "dossier_queue"
TRACKING = "projection_tracking"
# which officers' queues a status belongs to (a ``dossier_queue`` row per agency); other
# statuses are in none
STAGES = {
    "submitted": "to_receive",
    "accepted": "working",
    "in_processing": "working",
    "supplement_requested": "waiting",
    "awaiting_payment": "waiting",
}


def list_entry(d: Dossier) -> dict[str, Any]:
    applicant = d.applicant
    return {
        "owner_id": d.owner_id,
        "code": d.code,
        "status": d.status.value,
        "status_label": LABELS[d.status],
        "national_status_code": NATIONAL_CODES[d.status],
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure.get("name"),
        "agency_code": d.agency_code,
        "handling_agency": d.handling_agency,
        "agencies": sorted(d.agencies),
        "assignee": d.assignee,
        "applicant": applicant,
        # folded for a substring match: a citizen's list is searched within their own few
        # rows (the owner index), so it needs no text index
        "search": fold(" ".join(filter(None, [d.code, applicant, d.procedure.get("name")]))),
        "created_at": d.created_on,
        "updated_at": d.modified_on,
        "submitted_at": d.submitted_at,
        "accepted_at": d.accepted_at,
        "appointment_at": d.appointment_at,
        "completed_at": d.completed_at,
        "clock_paused": d.clock_paused,
        "fee_due": d.fee_due,
    }


@with_config(CLOSED)
class ListedDossier(TypedDict):
    """One row of a citizen's list or of a work queue, as the read model holds it."""

    id: str
    version: int
    owner_id: str
    code: str | None
    status: str
    status_label: str
    national_status_code: str | None  # a text column of the list
    procedure_code: str
    procedure_name: str | None
    agency_code: str
    handling_agency: str | None
    agencies: list[str]
    assignee: str | None
    applicant: str | None
    created_at: IsoDatetime
    updated_at: IsoDatetime
    submitted_at: IsoDatetime | None
    accepted_at: IsoDatetime | None
    appointment_at: IsoDatetime | None
    completed_at: IsoDatetime | None
    clock_paused: bool
    fee_due: int | None
    appointment_local: LocalTime | None


@with_config(CLOSED)
class QueuePage(TypedDict):
    items: list[ListedDossier]
    page: int
    size: int
    next: str | None  # the cursor of the following page, if there is one


@with_config(CLOSED)
class OwnDossiersPage(QueuePage):
    total: int


@with_config(CLOSED)
class QueueSizes(TypedDict):
    to_receive: int
    in_processing: int
    due_soon: int
    overdue: int
    waiting_for_citizen: int


@with_config(CLOSED)
class CountedQueuePage(QueuePage):
    """A queue's page and the sizes of all five (the console's tabs): one answer."""

    counts: QueueSizes
