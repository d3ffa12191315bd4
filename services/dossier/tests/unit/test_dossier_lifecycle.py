"""The dossier's life: filing, receipt and appointment, supplement with the clock paused,
extension, payment, result, rating; and the hash chain over all of it."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.dossier.domain import errors
from services.dossier.domain.chain import GENESIS, event_hash, verify
from services.dossier.domain.code import is_valid
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.status import NATIONAL_CODES, Status
from services.dossier.tests.unit.builders import (
    AGENCY,
    APPROVER,
    BIRTH,
    CALENDAR,
    OWNER,
    PROCESSOR,
    RECEIVER,
    SYSTEM,
    T0,
    collected,
    draft,
    in_state,
    uploaded,
)


@pytest.mark.parametrize("level", [1, 2])
def test_levels_one_and_two_cannot_be_filed_online(level: int) -> None:
    with pytest.raises(errors.OnlineFilingNotAllowedError):
        Dossier.start_draft(
            OWNER,
            procedure=dataclasses.replace(BIRTH, service_level=level),
            agency_code=AGENCY,
            form={},
        )


def test_only_an_agency_of_the_procedure_can_be_chosen() -> None:
    with pytest.raises(errors.AgencyNotServingError):
        Dossier.start_draft(OWNER, procedure=BIRTH, agency_code="NB.STP", form={})


def test_submission_needs_every_required_document_uploaded_or_from_the_wallet() -> None:
    dossier = Dossier.start_draft(OWNER, procedure=BIRTH, agency_code=AGENCY, form={})
    dossier.add_attachment(OWNER, uploaded("a1", "giay_chung_sinh"))
    with pytest.raises(errors.MissingDocumentsError) as refused:
        dossier.submit(OWNER, T0)
    assert "Căn cước công dân" in refused.value.detail
    assert "Văn bản ủy quyền" not in refused.value.detail  # optional
    dossier.add_attachment(
        OWNER, {"id": "w1", "document_code": "cccd", "wallet_document_id": "doc-1"}
    )
    dossier.submit(OWNER, T0)
    assert dossier.status is Status.SUBMITTED
    assert dossier.code is not None and is_valid(dossier.code)
    assert dossier.code.startswith("NB.HOALU-261120-")


def test_acceptance_sets_the_appointment_in_working_days() -> None:
    dossier = in_state(Status.SUBMITTED)
    accepted_at = datetime(2026, 11, 20, 3, tzinfo=UTC)  # Friday
    dossier.accept(RECEIVER, accepted_at, CALENDAR)
    # 3 working days: Mon 23, (Tue 24 is Vietnam Cultural Day), Wed 25, Thu 26
    assert dossier.appointment_at == datetime(2026, 11, 26, 3, tzinfo=UTC)
    assert dossier.accepted_at == accepted_at


def test_a_supplement_pauses_the_clock_and_moves_the_appointment() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    appointment = dossier.appointment_at
    assert appointment is not None
    requested = datetime(2026, 11, 25, 3, tzinfo=UTC)  # Wednesday
    dossier.request_supplement(
        PROCESSOR, [{"document_code": "giay_chung_sinh", "reason": "Ảnh mờ"}], "Thiếu", requested
    )
    assert dossier.clock_paused and not dossier.is_overdue(appointment + timedelta(days=30))
    dossier.add_attachment(OWNER, uploaded("a2", "giay_chung_sinh"))
    answered = datetime(2026, 11, 27, 3, tzinfo=UTC)  # Friday: Thu and Fri were paused
    dossier.supplement(
        OWNER, [{"document_code": "giay_chung_sinh", "attachment_ids": ["a2"]}], answered, CALENDAR
    )
    assert dossier.status is Status.IN_PROCESSING
    assert dossier.appointment_at == CALENDAR.add_working_days(appointment, 2)
    round_ = dossier.supplements[-1]
    assert round_["round"] == 1 and round_["paused_working_days"] == 2
    assert round_["previous_appointment_at"] == appointment
    assert round_["changes"] == {
        "attachments_added": ["a2"],
        "attachments_removed": [],
        "form_fields_changed": [],
    }


def test_the_officer_sees_what_changed_in_a_supplement_round() -> None:
    dossier = in_state(Status.SUBMITTED)
    dossier.request_supplement(
        RECEIVER, [{"document_code": "form", "reason": "Sai tên"}], "Sửa tờ khai", T0
    )
    dossier.save_form(OWNER, {"ho_ten": "Nguyễn Văn Ân", "email": "an@example.vn"})
    dossier.supplement(OWNER, [{"document_code": "form", "note": "Đã sửa"}], T0, CALENDAR)
    assert dossier.supplements[0]["changes"]["form_fields_changed"] == ["email", "ho_ten"]


def test_every_item_of_a_supplement_request_must_be_answered() -> None:
    dossier = in_state(Status.SUPPLEMENT_REQUESTED)
    with pytest.raises(errors.InvalidInputError):
        dossier.supplement(OWNER, [], T0, CALENDAR)
    with pytest.raises(errors.InvalidInputError):
        dossier.supplement(
            OWNER, [{"document_code": "giay_chung_sinh", "attachment_ids": ["nope"]}], T0, CALENDAR
        )


def test_a_supplement_at_reception_returns_to_reception() -> None:
    dossier = in_state(Status.SUBMITTED)
    dossier.request_supplement(
        RECEIVER, [{"document_code": "cccd", "reason": "Hết hạn"}], "Bổ sung", T0
    )
    dossier.supplement(OWNER, [{"document_code": "cccd", "note": "Đã cập nhật"}], T0, CALENDAR)
    assert dossier.status is Status.SUBMITTED and dossier.appointment_at is None


def test_an_extension_needs_a_later_date_and_a_reason() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    current = dossier.appointment_at
    assert current is not None
    with pytest.raises(errors.InvalidInputError):
        dossier.extend(APPROVER, "Xác minh", current, T0)
    with pytest.raises(errors.InvalidInputError):
        dossier.extend(APPROVER, "  ", current + timedelta(days=3), T0)
    dossier.extend(APPROVER, "Cần xác minh thêm", current + timedelta(days=3), T0)
    assert dossier.appointment_at == current + timedelta(days=3)
    assert dossier.extensions[0]["previous_appointment_at"] == current
    assert dossier.status is Status.IN_PROCESSING


def test_without_a_fee_the_result_is_ready_at_approval() -> None:
    dossier = Dossier.start_draft(
        OWNER, procedure=dataclasses.replace(BIRTH, fees=()), agency_code=AGENCY, form={}
    )
    dossier.add_attachment(OWNER, uploaded("a1", "giay_chung_sinh"))
    dossier.add_attachment(OWNER, uploaded("a2", "cccd"))
    dossier.submit(OWNER, T0)
    dossier.accept(RECEIVER, T0, CALENDAR)
    dossier.start_processing(PROCESSOR, T0)
    with pytest.raises(errors.InvalidTransitionError):
        dossier.approve(APPROVER, {"number": "1"}, T0)  # nobody proposed yet
    dossier.propose(PROCESSOR, "approve", "Đủ điều kiện", T0)
    dossier.approve(APPROVER, {"number": "1"}, T0)
    assert dossier.status is Status.RESULT_READY


def test_payment_moves_the_dossier_on_and_must_cover_the_fee() -> None:
    dossier = in_state(Status.AWAITING_PAYMENT)
    assert dossier.fee_due == 8000
    with pytest.raises(errors.InvalidInputError):
        dossier.record_payment(SYSTEM, "order-1", 7000, T0)
    dossier.record_payment(SYSTEM, "order-1", 8000, T0)
    assert dossier.status is Status.RESULT_READY and dossier.fee_due == 0


def test_level_three_results_are_returned_at_the_office_only() -> None:
    dossier = in_state(Status.RESULT_READY)
    dossier.procedure = {**dossier.procedure, "service_level": 3}
    with pytest.raises(errors.InvalidInputError):
        dossier.return_result(RECEIVER, "online", T0)
    dossier.return_result(RECEIVER, "office", T0)
    assert dossier.status is Status.COMPLETED


def test_a_completed_dossier_is_rated_once() -> None:
    dossier = in_state(Status.COMPLETED)
    with pytest.raises(errors.InvalidInputError):
        dossier.rate(OWNER, 6, "", T0)
    dossier.rate(OWNER, 4, "Cán bộ nhiệt tình", T0)
    with pytest.raises(errors.AlreadyRatedError):
        dossier.rate(OWNER, 5, "", T0)
    assert dossier.rating is not None and dossier.rating["score"] == 4


def test_overdue_is_a_measure_not_a_status() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    assert dossier.appointment_at is not None
    assert dossier.is_overdue(dossier.appointment_at + timedelta(minutes=1))
    assert dossier.status is Status.IN_PROCESSING
    assert not in_state(Status.COMPLETED).is_overdue(T0 + timedelta(days=365))


def test_every_filed_state_has_a_national_code() -> None:
    assert {s for s, c in NATIONAL_CODES.items() if c is None} == {Status.DRAFT}
    assert sorted(c for c in NATIONAL_CODES.values() if c) == list(range(1, 11))


def test_reasons_are_stored_in_nfc() -> None:
    dossier = in_state(Status.SUBMITTED)
    decomposed = "Sai tha\u0302\u0309m quye\u0302\u0300n"
    dossier.reject_at_reception(RECEIVER, decomposed, T0)
    assert dossier.closing_reason == "Sai thẩm quyền"


def test_events_form_a_hash_chain_that_detects_a_change() -> None:
    dossier = in_state(Status.COMPLETED)
    events = collected(dossier)
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == event_hash(a) for a, b in itertools.pairwise(events))
    assert verify(events, dossier.chain_head).valid
    tampered = list(events)
    # the fields changed belong to the concrete event classes, not to Filing.Event
    earlier: dict[str, Any] = {"at": T0 + timedelta(days=9)}
    tampered[3] = dataclasses.replace(events[3], **earlier)
    report = verify(tampered, dossier.chain_head)
    assert not report.valid and report.broken_at == events[4].originator_version
    by_post: dict[str, Any] = {"channel": "post"}
    last_changed = [*events[:-1], dataclasses.replace(events[-1], **by_post)]
    assert not verify(last_changed, dossier.chain_head).valid


def test_the_draft_records_who_acted() -> None:
    dossier = draft()
    created = collected(dossier)[0]
    assert created.actor == OWNER.model_dump()
    assert vars(created)["procedure"]["code"] == "1.001193"
