"""Every command against every state and every kind of actor: allowed exactly when the
rules table says so; refused otherwise with the right error, and nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from services.dossier.domain import errors
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.rules import RULES, TARGETS, Party
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import (
    ADMIN,
    APPROVER,
    AUDITOR,
    CALENDAR,
    FOREIGN,
    OTHER_CITIZEN,
    OWNER,
    PROCESSOR,
    RECEIVER,
    SYSTEM,
    T0,
    collected,
    in_state,
    officer,
    uploaded,
)
from shared.events.envelope import Actor

T = T0 + timedelta(days=1)

COMMANDS: dict[str, Callable[[Dossier, Actor], Any]] = {
    "save_form": lambda d, a: d.save_form(a, {"ho_ten": "Trần Thị Bình"}),
    "add_attachment": lambda d, a: d.add_attachment(a, uploaded("new", "uy_quyen")),
    "remove_attachment": lambda d, a: d.remove_attachment(a, "a1"),
    "submit": lambda d, a: d.submit(a, T),
    "accept": lambda d, a: d.accept(a, T, CALENDAR),
    "reject_at_reception": lambda d, a: d.reject_at_reception(a, "Không thuộc thẩm quyền", T),
    "request_supplement": lambda d, a: d.request_supplement(
        a, [{"document_code": "cccd", "reason": "Hết hạn"}], "Bổ sung giấy tờ", T
    ),
    "supplement": lambda d, a: d.supplement(
        a, [{"document_code": "giay_chung_sinh", "note": "Đã chụp lại"}], T, CALENDAR
    ),
    "start_processing": lambda d, a: d.start_processing(a, T),
    "assign": lambda d, a: d.assign(a, "processor-2", T),
    "transfer": lambda d, a: d.transfer(a, "NB.STP", "Cần ý kiến Sở Tư pháp", T),
    "add_opinion": lambda d, a: d.add_opinion(a, "Đồng ý", T),
    "propose": lambda d, a: d.propose(a, "approve", "Đủ điều kiện", T),
    "approve": lambda d, a: d.approve(a, {"number": "KS-9"}, T),
    "reject": lambda d, a: d.reject(a, "Không đủ điều kiện", T),
    "extend": lambda d, a: d.extend(
        a, "Cần xác minh", (d.appointment_at or T) + timedelta(days=5), T
    ),
    "record_payment": lambda d, a: d.record_payment(a, "order-9", 8000, T),
    "return_result": lambda d, a: d.return_result(a, "post", T),
    "withdraw": lambda d, a: d.withdraw(a, "Không còn nhu cầu", T),
    "rate": lambda d, a: d.rate(a, 5, "Nhanh chóng", T),
}

ACTORS: dict[str, tuple[Actor, Party | None]] = {
    "owner": (OWNER, Party.OWNER),
    "other citizen": (OTHER_CITIZEN, None),
    "receiver": (RECEIVER, Party.RECEIVER),
    "processor": (PROCESSOR, Party.PROCESSOR),
    "approver": (APPROVER, Party.APPROVER),
    "agency admin": (ADMIN, Party.AGENCY_ADMIN),
    "officer of another agency": (FOREIGN, None),
    "auditor": (AUDITOR, None),
    "system": (SYSTEM, Party.SYSTEM),
}


def test_the_table_covers_every_command() -> None:
    assert set(COMMANDS) == set(RULES)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_command_is_allowed_exactly_when_the_rules_say(
    status: Status, command: str, who: str
) -> None:
    dossier = in_state(status)
    dossier.collect_events()
    version, before = dossier.version, dossier.status
    actor, party = ACTORS[who]
    allowed = party is not None and party in RULES[command].get(status, frozenset())
    if allowed:
        COMMANDS[command](dossier, actor)
        assert dossier.version > version
        assert dossier.status in TARGETS.get(command, {before})
        recorded = collected(dossier)
        assert recorded and all(e.actor == actor.model_dump() for e in recorded)
    else:
        with pytest.raises(errors.DossierError) as refused:
            COMMANDS[command](dossier, actor)
        assert dossier.version == version and dossier.status is before
        assert dossier.collect_events() == []
        if who == "other citizen":
            assert isinstance(refused.value, errors.NotOwnerError)
        if who == "officer of another agency" and not RULES[command].keys() <= set():
            assert isinstance(refused.value, errors.WrongAgencyError | errors.NotAllowedError)
        if who == "auditor":
            assert isinstance(refused.value, errors.NotAllowedError)


def test_a_receiver_cannot_request_a_supplement_once_processing_started() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    with pytest.raises(errors.MissingOfficerRoleError):
        COMMANDS["request_supplement"](dossier, RECEIVER)


def test_an_officer_of_another_agency_is_refused_as_such() -> None:
    with pytest.raises(errors.WrongAgencyError):
        COMMANDS["accept"](in_state(Status.SUBMITTED), FOREIGN)


def test_after_a_transfer_the_receiving_agency_may_act() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    dossier.transfer(ADMIN, "NB.STP", "Chuyển Sở Tư pháp", T)
    dossier.add_opinion(FOREIGN, "Sở Tư pháp đồng ý", T)
    assert dossier.opinions[-1]["by"] == FOREIGN.id


def test_a_processor_works_only_on_what_is_assigned_to_them() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    dossier.assign(ADMIN, "processor-2", T)
    version = dossier.version
    with pytest.raises(errors.NotAssigneeError):
        dossier.propose(PROCESSOR, "approve", "Đủ điều kiện", T)
    with pytest.raises(errors.NotAssigneeError):
        dossier.add_opinion(PROCESSOR, "Đồng ý", T)
    assert dossier.version == version  # nothing recorded
    dossier.add_opinion(APPROVER, "Đồng ý", T)  # the approver is not bound to the assignee
    dossier.propose(officer("processor", officer_id="processor-2"), "approve", "Đủ", T)
    assert dossier.proposal is not None
