"""Who may do what in which state: one table, read by the aggregate and the docs.

Each command lists, for each state it may start from, the parties allowed to
issue it. A party is the citizen who owns the dossier, an officer of the
dossier's agency holding a given duty, or the system (payment events).
"""

from __future__ import annotations

from enum import StrEnum

from services.dossier.domain.status import Status as S


class Party(StrEnum):
    OWNER = "owner"
    RECEIVER = "receiver"
    PROCESSOR = "processor"
    APPROVER = "approver"
    AGENCY_ADMIN = "agency_admin"
    SYSTEM = "system"


OFFICER_PARTIES = frozenset({Party.RECEIVER, Party.PROCESSOR, Party.APPROVER, Party.AGENCY_ADMIN})

_CITIZEN_EDITABLE = (S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED)
_BEFORE_RESULT = (
    S.SUBMITTED,
    S.ACCEPTED,
    S.IN_PROCESSING,
    S.SUPPLEMENT_REQUESTED,
    S.AWAITING_PAYMENT,
)


def _from(states: tuple[S, ...], *parties: Party) -> dict[S, frozenset[Party]]:
    return {state: frozenset(parties) for state in states}


RULES: dict[str, dict[S, frozenset[Party]]] = {
    "save_form": _from(_CITIZEN_EDITABLE, Party.OWNER),
    "add_attachment": _from(_CITIZEN_EDITABLE, Party.OWNER),
    "remove_attachment": _from((S.DRAFT, S.SUBMITTED), Party.OWNER),
    "submit": _from((S.DRAFT,), Party.OWNER),
    "accept": _from((S.SUBMITTED,), Party.RECEIVER),
    "reject_at_reception": _from((S.SUBMITTED,), Party.RECEIVER),
    "request_supplement": {
        S.SUBMITTED: frozenset({Party.RECEIVER}),
        S.IN_PROCESSING: frozenset({Party.PROCESSOR}),
    },
    "supplement": _from((S.SUPPLEMENT_REQUESTED,), Party.OWNER),
    "start_processing": _from((S.ACCEPTED,), Party.PROCESSOR),
    "assign": _from((S.ACCEPTED, S.IN_PROCESSING), Party.AGENCY_ADMIN),
    "transfer": _from((S.IN_PROCESSING,), Party.AGENCY_ADMIN),
    "add_opinion": _from((S.IN_PROCESSING,), Party.PROCESSOR, Party.APPROVER),
    "propose": _from((S.IN_PROCESSING,), Party.PROCESSOR),
    "approve": _from((S.IN_PROCESSING,), Party.APPROVER),
    "reject": _from((S.IN_PROCESSING,), Party.APPROVER),
    "extend": _from((S.ACCEPTED, S.IN_PROCESSING), Party.APPROVER),
    "record_payment": _from((S.AWAITING_PAYMENT,), Party.SYSTEM),
    "return_result": _from((S.RESULT_READY,), Party.RECEIVER),
    "withdraw": _from(_BEFORE_RESULT, Party.OWNER),
    "rate": _from((S.COMPLETED,), Party.OWNER),
}

# Where each command may lead (a command that keeps the state leads to its source).
TARGETS: dict[str, frozenset[S]] = {
    "submit": frozenset({S.SUBMITTED}),
    "accept": frozenset({S.ACCEPTED}),
    "reject_at_reception": frozenset({S.REJECTED_AT_RECEPTION}),
    "request_supplement": frozenset({S.SUPPLEMENT_REQUESTED}),
    "supplement": frozenset({S.SUBMITTED, S.IN_PROCESSING}),
    "start_processing": frozenset({S.IN_PROCESSING}),
    "assign": frozenset({S.IN_PROCESSING}),
    "approve": frozenset({S.AWAITING_PAYMENT, S.RESULT_READY}),
    "reject": frozenset({S.REJECTED}),
    "record_payment": frozenset({S.RESULT_READY}),
    "return_result": frozenset({S.COMPLETED}),
    "withdraw": frozenset({S.WITHDRAWN}),
}


def allowed_edges() -> set[tuple[S, S]]:
    """Every (from, to) state pair the rules permit, including staying put."""
    edges: set[tuple[S, S]] = set()
    for command, sources in RULES.items():
        for source in sources:
            for target in TARGETS.get(command, frozenset({source})):
                edges.add((source, target))
    return edges
