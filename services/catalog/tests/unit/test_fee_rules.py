"""A fee line names the form fields it is computed from; the catalogue refuses lines it
could not compute, in Vietnamese, and keeps versions stored before fee rules readable."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.catalog.application.documents import card, content_from_doc, content_to_doc
from services.catalog.application.procedures import parse_content
from services.catalog.domain.errors import InvalidProcedureError
from services.catalog.domain.model import Agency, FeeRuleError, ProcedureContent, ProcedureField
from services.catalog.entrypoints.seed import fee_line, load, procedure_content
from services.catalog.tests.unit.fakes import FakeCatalog
from shared.events.envelope import Actor

ADMIN = Actor(id="admin-1", role="admin")
PHI = {"code": "PHI", "name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000}
PHI_SV = {
    "code": "PHI_SV",
    "name": "Phí giảm",
    "amount": 100000,
    "applies_if": "giam_phi",
    "replaces": "PHI",
}
PHI_THEM = {
    "code": "PHI_THEM",
    "name": "Phí cấp từ Phiếu thứ 3",
    "amount": 5000,
    "rule": "per_copy",
    "quantity_field": "so_luong",
    "free_units": 2,
}


def _content(fees: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return {
        "code": "2.000488",
        "name": "Cấp Phiếu lý lịch tư pháp",
        "field_code": "LLTP",
        "service_level": 4,
        "agency_codes": ["NB.STP"],
        "government_level": "province",
        "steps": ["Nộp hồ sơ"],
        "time_limit_days": 10,
        "result_delivery": ["office", "online"],
        "form_schema": {
            "type": "object",
            "properties": {
                "ho_ten": {"title": "Họ và tên", "type": "string"},
                "so_luong": {"title": "Số lượng Phiếu", "type": "integer", "minimum": 0},
                "giam_phi": {"title": "Thuộc đối tượng được giảm phí", "type": "boolean"},
            },
        },
        "fees": fees,
        **changes,
    }


def test_a_version_with_rules_keeps_them_in_what_it_publishes() -> None:
    content = ProcedureContent.model_validate(_content([PHI, PHI_SV, PHI_THEM]))
    fees = content.model_dump(mode="json")["fees"]
    assert fees[1]["applies_if"] == "giam_phi" and fees[1]["replaces"] == "PHI"
    assert fees[2] == {**PHI_THEM}  # options that are not set are not written
    assert fees[0] == {**PHI, "rule": None}
    assert content_from_doc(content_to_doc(content)) == content
    assert card(content, 1)["fee_total"] == 200000  # fixed, unconditional lines only
    assert card(content, 1)["fee_counted"] is True


@pytest.mark.parametrize(
    ("fees", "detail"),
    [
        ([{**PHI_THEM, "quantity_field": "so_ban"}], "trường «so_ban» không có trong tờ khai"),
        (
            [{**PHI_THEM, "quantity_field": "ho_ten"}],
            "trường «ho_ten» của tờ khai phải là số nguyên",
        ),
        (
            [{**PHI_THEM, "multiplier_field": "giam_phi"}],
            "«giam_phi» của tờ khai phải là số nguyên",
        ),
        ([PHI, {**PHI_SV, "applies_if": "so_luong"}], "phải là ô đánh dấu"),
        ([PHI_SV], "thay thế khoản «PHI» không có trong danh sách phí"),
        ([{**PHI_THEM, "quantity_field": None}], "phải nêu trường của tờ khai chứa số lượng"),
        ([{**PHI, "quantity_field": "so_luong"}], "là mức thu cố định"),
        ([{**PHI_THEM, "max_units": 2}], "phải lớn hơn số đơn vị được miễn phí"),
        ([PHI, {**PHI_SV, "applies_if": None}], "chỉ thay thế «PHI» khi có điều kiện áp dụng"),
        ([{**PHI_SV, "code": "PHI", "replaces": "PHI"}], "không thể thay thế chính nó"),
    ],
)
def test_a_fee_line_that_cannot_be_computed_is_refused_in_vietnamese(
    fees: list[dict[str, Any]], detail: str
) -> None:
    with pytest.raises(InvalidProcedureError) as refused:
        parse_content(_content(fees))
    assert detail in refused.value.detail
    assert refused.value.extensions["errors"]


@pytest.mark.parametrize(
    "fee",
    [
        {**PHI_THEM, "free_units": -1},
        {**PHI_THEM, "max_amount": -5},
        {**PHI_THEM, "quantity_field": "so luong"},
        {**PHI_THEM, "rule": "per_kg"},
    ],
)
def test_malformed_rule_values_are_refused(fee: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProcedureContent.model_validate(_content([fee]))


def test_a_version_stored_before_fee_rules_still_loads() -> None:
    old = {"code": "PHI", "name": "Phí cấp bản sao", "amount": 8000, "rule": "per_copy"}
    with pytest.raises(ValidationError) as refused:
        ProcedureContent.model_validate(_content([old]))
    assert isinstance(refused.value.errors()[0]["ctx"]["error"], FeeRuleError)
    doc = content_to_doc(ProcedureContent.model_validate(_content([old]), context={"stored": True}))
    assert content_from_doc(doc).fees[0].quantity_field is None


async def test_a_draft_saved_before_fee_rules_must_name_its_counts_to_be_published() -> None:
    catalog = FakeCatalog()
    await catalog.registry.save_field(ProcedureField(code="LLTP", name="Lý lịch tư pháp"), ADMIN)
    await catalog.registry.save_agency(
        Agency(code="NB", name="Ủy ban nhân dân tỉnh Ninh Bình", tier="province"), ADMIN
    )
    await catalog.registry.save_agency(
        Agency(code="NB.STP", name="Sở Tư pháp", tier="department", parent_code="NB"), ADMIN
    )
    old = {"code": "PHI", "name": "Phí cấp bản sao", "amount": 8000, "rule": "per_copy"}
    legacy = ProcedureContent.model_validate(_content([old]), context={"stored": True})
    await catalog.procedures.save_draft(legacy, ADMIN)
    with pytest.raises(InvalidProcedureError) as refused:
        await catalog.procedures.publish("2.000488", ADMIN)
    assert "quantity_field" in refused.value.detail
    assert catalog.store.events == []
    await catalog.procedures.save_draft(
        ProcedureContent.model_validate(_content([PHI, PHI_SV, PHI_THEM])), ADMIN
    )
    await catalog.procedures.publish("2.000488", ADMIN)
    published = catalog.store.events[-1].data["fees"]
    assert [f["code"] for f in published] == ["PHI", "PHI_SV", "PHI_THEM"]
    assert published[2]["quantity_field"] == "so_luong"


def test_the_yaml_fee_line_takes_its_options_from_a_trailing_mapping() -> None:
    assert fee_line(["PHI", "Phí", 8000, "per_copy", {"quantity_field": "so_ban"}]) == {
        "code": "PHI",
        "name": "Phí",
        "amount": 8000,
        "rule": "per_copy",
        "quantity_field": "so_ban",
    }
    assert fee_line(["LP", "Lệ phí", 0]) == {
        "code": "LP",
        "name": "Lệ phí",
        "amount": 0,
        "rule": None,
    }


def test_demo_procedures_compute_every_counted_fee_from_their_forms() -> None:
    meta = load("agencies.yaml")
    contents = {
        raw["code"]: procedure_content(raw, meta, [])
        for raw in load("procedures.yaml")["procedures"]
    }
    for content in contents.values():
        for fee in content.fees:
            assert fee.rule is None or fee.quantity_field, (content.code, fee.code)
    ly_lich = contents["2.000488"]
    assert {f.code: f.replaces for f in ly_lich.fees}["PHI_SV"] == "PHI"
    assert ly_lich.form_schema["properties"]["giam_phi"]["type"] == "boolean"
    chung_thuc = {f.code: f for f in contents["2.000815"].fees}
    assert (chung_thuc["PHI"].max_units, chung_thuc["PHI_TRANG3"].free_units) == (2, 2)
    assert chung_thuc["PHI_TRANG3"].max_amount == 200000 - 2 * 2000
