"""A procedure version's content keeps its invariants without any store."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.catalog.domain.model import JSON_SCHEMA_2020_12, Agency, ProcedureContent


def _content(**changes: Any) -> dict[str, Any]:
    return {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field_code": "HOTICH",
        "service_level": 4,
        "agency_codes": ["NB.HOALU"],
        "government_level": "commune",
        "steps": ["Nộp hồ sơ"],
        "time_limit_days": 1,
        "result_delivery": ["office", "online"],
        "form_schema": {
            "type": "object",
            "properties": {"ho_ten": {"title": "Họ và tên", "type": "string"}},
            "required": ["ho_ten"],
        },
        "fees": [{"code": "LP", "name": "Lệ phí", "amount": 0}],
        **changes,
    }


def test_a_valid_version_gets_the_2020_12_dialect_and_its_mode() -> None:
    content = ProcedureContent.model_validate(_content())
    assert content.form_schema["$schema"] == JSON_SCHEMA_2020_12
    assert content.mode == "toan_trinh"
    assert (
        ProcedureContent.model_validate(_content(service_level=3, result_delivery=["office"])).mode
        == "mot_phan"
    )


def test_text_is_stored_in_nfc() -> None:
    content = ProcedureContent.model_validate(_content(name="Đa\u0306ng ky\u0301 khai sinh"))
    assert content.name == "Đăng ký khai sinh"


@pytest.mark.parametrize(
    "changes",
    [
        {"service_level": 5},
        {"fees": [{"code": "LP", "name": "Lệ phí", "amount": -1}]},
        {"fees": [{"code": "LP", "name": "Lệ phí", "amount": 1.5}]},
        {"agency_codes": []},
        {"form_schema": {"type": "array"}},
        {"form_schema": {"type": "object", "properties": {"x": {"type": "string"}}}},
        {"form_schema": {"type": "object", "properties": {}, "required": ["x"]}},
        {
            "form_schema": {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {},
            }
        },
        {"service_level": 3, "result_delivery": ["online"]},
        {"time_limit_days": -1},
        {"mode": "toan_trinh"},
    ],
)
def test_invalid_content_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProcedureContent.model_validate(_content(**changes))


def test_only_a_province_has_no_parent() -> None:
    Agency(code="NB", name="Ủy ban nhân dân tỉnh Ninh Bình", tier="province")
    with pytest.raises(ValidationError):
        Agency(code="NB.HOALU", name="Phường Hoa Lư", tier="commune")
    with pytest.raises(ValidationError):
        Agency(code="NB", name="Tỉnh", tier="province", parent_code="VN")
