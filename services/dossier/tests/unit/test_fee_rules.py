"""Fee rules: what the law charges for the form the citizen filled in."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from services.dossier.application.views import dossier_view, national_export
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.procedure import Fee, ProcedureVersion, compute_fees
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import (
    AGENCY,
    APPROVER,
    BIRTH,
    CALENDAR,
    OWNER,
    PROCESSOR,
    RECEIVER,
    T0,
    uploaded,
)

TRICH_LUC = (
    Fee("PHI", "Phí cấp bản sao trích lục hộ tịch", 8000, "per_copy", quantity_field="so_ban"),
)
LY_LICH = (
    Fee("PHI", "Phí cung cấp thông tin lý lịch tư pháp", 200000),
    Fee("PHI_SV", "Phí đối với sinh viên", 100000, applies_if="giam_phi", replaces="PHI"),
    Fee(
        "PHI_THEM",
        "Phí cấp từ Phiếu thứ 3 trở lên",
        5000,
        "per_copy",
        quantity_field="so_luong",
        free_units=2,
    ),
)
CHUNG_THUC = (
    Fee(
        "PHI",
        "Trang 1-2",
        2000,
        "per_page",
        quantity_field="so_trang",
        max_units=2,
        multiplier_field="so_ban",
    ),
    Fee(
        "PHI_TRANG3",
        "Từ trang 3",
        1000,
        "per_page",
        quantity_field="so_trang",
        free_units=2,
        max_amount=196000,
        multiplier_field="so_ban",
    ),
)


def approved(fees: tuple[Fee, ...], **form: object) -> Dossier:
    procedure = dataclasses.replace(BIRTH, fees=fees)
    dossier = Dossier.start_draft(
        OWNER, procedure=procedure, agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An", **form}
    )
    dossier.add_attachment(OWNER, uploaded("a1", "giay_chung_sinh"))
    dossier.add_attachment(OWNER, uploaded("a2", "cccd"))
    dossier.submit(OWNER, T0)
    dossier.accept(RECEIVER, T0, CALENDAR)
    dossier.start_processing(PROCESSOR, T0)
    dossier.propose(PROCESSOR, "approve", "Đủ điều kiện", T0)
    dossier.approve(APPROVER, {"number": "123/KQ"}, T0)
    return dossier


def total(fees: tuple[Fee, ...], **form: object) -> int:
    return compute_fees(fees, dict(form))[1]


def test_per_copy_charges_the_unit_price_for_each_copy() -> None:
    lines, fee_total = compute_fees(TRICH_LUC, {"so_ban": 3})
    assert fee_total == 24000
    assert [(x.code, x.unit_amount, x.quantity, x.amount) for x in lines] == [
        ("PHI", 8000, 3, 24000)
    ]


def test_free_units_charge_only_from_the_third_copy_on() -> None:
    assert total(LY_LICH, so_luong=1) == 200000
    assert total(LY_LICH, so_luong=2) == 200000
    assert total(LY_LICH, so_luong=3) == 205000
    assert total(LY_LICH, so_luong=5) == 215000


def test_the_reduced_fee_replaces_the_full_one_when_ticked() -> None:
    lines, fee_total = compute_fees(LY_LICH, {"so_luong": 4, "giam_phi": True})
    assert fee_total == 110000
    assert [x.code for x in lines] == ["PHI_SV", "PHI_THEM"]
    assert total(LY_LICH, so_luong=1, giam_phi=False) == 200000
    assert total(LY_LICH, so_luong=1, giam_phi="true") == 200000  # only a real tick counts


def test_per_page_tiers_per_copy_and_the_cap_per_copy() -> None:
    assert total(CHUNG_THUC, so_trang=1, so_ban=1) == 2000
    assert total(CHUNG_THUC, so_trang=2, so_ban=3) == 12000
    assert total(CHUNG_THUC, so_trang=5, so_ban=2) == 2 * (4000 + 3000)
    assert total(CHUNG_THUC, so_trang=198, so_ban=1) == 200000
    assert total(CHUNG_THUC, so_trang=500, so_ban=2) == 400000  # 200.000 đ/bản at most
    lines = compute_fees(CHUNG_THUC, {"so_trang": 500, "so_ban": 2})[0]
    assert [(x.code, x.quantity, x.amount) for x in lines] == [
        ("PHI", 4, 8000),
        ("PHI_TRANG3", 996, 392000),
    ]


@given(pages=st.integers(0, 1000), copies=st.integers(0, 50))
def test_per_page_fee_follows_the_circular_for_any_size(pages: int, copies: int) -> None:
    per_copy = min(2000 * min(pages, 2) + 1000 * max(0, pages - 2), 200000)
    assert total(CHUNG_THUC, so_trang=pages, so_ban=copies) == per_copy * copies


@given(copies=st.integers(-5, 200), reduced=st.booleans())
def test_ly_lich_total_for_any_count(copies: int, reduced: bool) -> None:
    base = 100000 if reduced else 200000
    assert total(LY_LICH, so_luong=copies, giam_phi=reduced) == base + 5000 * max(0, copies - 2)


def test_a_missing_zero_or_bad_count_charges_nothing_for_that_line() -> None:
    for form in (
        {},
        {"so_ban": 0},
        {"so_ban": -2},
        {"so_ban": None},
        {"so_ban": True},
        {"so_ban": "abc"},
        {"so_ban": 2.5},
    ):
        assert compute_fees(TRICH_LUC, form) == ([], 0), form
    assert total(TRICH_LUC, so_ban="2") == 16000  # a count typed as text still counts


def test_a_cap_without_multiplier_caps_the_line() -> None:
    capped = (Fee("PHI", "Phí", 3000, "per_item", quantity_field="n", max_amount=10000),)
    assert total(capped, n=3) == 9000
    assert total(capped, n=4) == 10000


def test_an_old_snapshot_without_fee_rules_loads_and_charges_as_before() -> None:
    old = {
        "code": "1.004873",
        "version": 1,
        "service_level": 4,
        "agency_codes": ["NB.HOALU"],
        "time_limit_days": 1,
        "fees": [
            {"code": "PHI", "name": "Phí cấp bản sao", "amount": 8000, "rule": "per_copy"},
            {"code": "LP", "name": "Lệ phí", "amount": 2000},
        ],
    }
    version = ProcedureVersion.from_data(old)
    assert version.fees[0].quantity_field is None and version.fees[0].free_units == 0
    assert version.fee_total({"so_ban": 3}) == 10000  # each line once, as it was filed
    assert ProcedureVersion.from_data(version.snapshot()) == version


def test_a_snapshot_keeps_the_fee_rules() -> None:
    data = {
        "code": "2.000488",
        "version": 2,
        "service_level": 4,
        "agency_codes": ["NB.STP"],
        "fees": [
            {
                "code": "PHI_SV",
                "name": "Phí giảm",
                "amount": 100000,
                "rule": None,
                "applies_if": "giam_phi",
                "replaces": "PHI",
            },
            {
                "code": "PHI_THEM",
                "name": "Phí thêm",
                "amount": 5000,
                "rule": "per_copy",
                "quantity_field": "so_luong",
                "free_units": 2,
                "max_units": None,
                "max_amount": None,
                "multiplier_field": None,
            },
        ],
    }
    version = ProcedureVersion.from_data(data)
    assert version.fees == (
        Fee("PHI_SV", "Phí giảm", 100000, applies_if="giam_phi", replaces="PHI"),
        Fee("PHI_THEM", "Phí thêm", 5000, "per_copy", quantity_field="so_luong", free_units=2),
    )
    assert ProcedureVersion.from_data(version.snapshot()) == version


def test_approval_requests_payment_of_the_computed_lines() -> None:
    dossier = approved(LY_LICH, so_luong=4, giam_phi=True)
    assert dossier.status is Status.AWAITING_PAYMENT
    events = dossier.collect_events()
    requested = events[-1]
    assert type(requested).__name__ == "PaymentRequested"
    assert requested.total == 110000 and dossier.fee_due == 110000  # type: ignore[attr-defined]
    assert requested.fees == [  # type: ignore[attr-defined]
        {
            "code": "PHI_SV",
            "name": "Phí đối với sinh viên",
            "unit_amount": 100000,
            "quantity": 1,
            "amount": 100000,
            "rule": None,
        },
        {
            "code": "PHI_THEM",
            "name": "Phí cấp từ Phiếu thứ 3 trở lên",
            "unit_amount": 5000,
            "quantity": 2,
            "amount": 10000,
            "rule": "per_copy",
        },
    ]


def test_approval_with_nothing_to_pay_makes_the_result_ready() -> None:
    dossier = approved(TRICH_LUC, so_ban=0)
    assert dossier.status is Status.RESULT_READY and dossier.fee_due == 0


def test_the_dossier_view_and_the_national_export_show_the_computed_fee() -> None:
    dossier = approved(TRICH_LUC, so_ban=3)
    estimate = dossier_view(dossier, internal=False)["fee_estimate"]
    assert estimate == {
        "total": 24000,
        "lines": [
            {
                "code": "PHI",
                "name": "Phí cấp bản sao trích lục hộ tịch",
                "unit_amount": 8000,
                "quantity": 3,
                "amount": 24000,
                "rule": "per_copy",
            }
        ],
    }
    exported = national_export(dossier)
    assert exported["TongTienPhiLePhi"] == 24000
    assert exported["LePhi"] == [
        {
            "MaPhiLePhi": "PHI",
            "TenPhiLePhi": "Phí cấp bản sao trích lục hộ tịch",
            "DonGia": 8000,
            "SoLuong": 3,
            "SoTien": 24000,
        }
    ]


RULES = st.sampled_from([None, "per_copy", "per_page", "per_item"])


@st.composite
def fee_lists(draw: st.DrawFn) -> tuple[Fee, ...]:
    codes = draw(
        st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True)
    )
    fees = []
    for code in codes:
        rule = draw(RULES)
        counted = rule is not None
        free = draw(st.integers(0, 3)) if counted else 0
        fees.append(
            Fee(
                code,
                f"Phí {code}",
                draw(st.integers(0, 500_000)),
                rule,
                quantity_field=draw(st.sampled_from(["n", "m"])) if counted else None,
                multiplier_field=draw(st.sampled_from([None, "m"])) if counted else None,
                free_units=free,
                max_units=draw(st.one_of(st.none(), st.integers(free + 1, 10)))
                if counted
                else None,
                max_amount=draw(st.one_of(st.none(), st.integers(0, 1_000_000)))
                if counted
                else None,
                applies_if=draw(st.sampled_from([None, "x"])),
                replaces=draw(st.one_of(st.none(), st.sampled_from(codes))),
            )
        )
    return tuple(fees)


@given(fees=fee_lists(), n=st.integers(-3, 30), m=st.integers(-3, 30), x=st.booleans())
def test_any_rules_give_lines_that_add_up_and_never_exceed_their_count(
    fees: tuple[Fee, ...], n: int, m: int, x: bool
) -> None:
    lines, fee_total = compute_fees(fees, {"n": n, "m": m, "x": x})
    assert fee_total == sum(line.amount for line in lines) >= 0
    by_code = {fee.code: fee for fee in fees}
    charged = {line.code for line in lines}
    for line in lines:
        fee = by_code[line.code]
        assert fee.applies_if is None or x  # a condition not met charges nothing
        assert 0 <= line.amount <= line.unit_amount * line.quantity
        assert line.quantity > 0
    for fee in fees:
        if fee.replaces and fee.replaces != fee.code and fee.code in charged:
            assert fee.replaces not in charged  # an applying line replaces the other
