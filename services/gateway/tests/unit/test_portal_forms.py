"""Dossier forms from a procedure's JSON Schema: fields in form_ui order with the
schema's constraints as input attributes, and posted strings back to typed values."""

from __future__ import annotations

import unicodedata

from services.gateway.entrypoints.http.portal.forms import fields_of, parse
from services.gateway.entrypoints.http.portal.officer import _body

SCHEMA = {
    "type": "object",
    "required": ["ho_ten", "gioi_tinh"],
    "properties": {
        "so_con": {"type": "integer", "title": "Số con", "minimum": 0},
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 300},
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["Nam", "Nữ"]},
        "ngay_sinh": {"type": "string", "title": "Ngày sinh", "format": "date"},
        "so_dien_thoai": {
            "type": "string",
            "title": "Số điện thoại",
            "pattern": "^(0|\\+84)[0-9]{9,10}$",
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú", "maxLength": 4000},
        "dong_y": {"type": "boolean", "title": "Đồng ý"},
    },
}


def test_fields_follow_form_ui_order_then_the_schema() -> None:
    fields = fields_of(SCHEMA, {"order": ["ho_ten", "gioi_tinh"], "widgets": {}})
    assert [f.name for f in fields] == [
        "ho_ten",
        "gioi_tinh",
        "so_con",
        "ngay_sinh",
        "so_dien_thoai",
        "ghi_chu",
        "dong_y",
    ]
    by_name = {f.name: f for f in fields}
    assert by_name["ho_ten"].required and not by_name["ngay_sinh"].required
    assert by_name["ho_ten"].attrs == {"maxlength": "300"}
    assert by_name["gioi_tinh"].kind == "select" and by_name["gioi_tinh"].options == ["Nam", "Nữ"]
    assert by_name["ngay_sinh"].kind == "date"
    assert by_name["so_dien_thoai"].attrs["pattern"] == "^(0|\\+84)[0-9]{9,10}$"
    assert by_name["so_con"].kind == "number" and by_name["so_con"].attrs["min"] == "0"
    assert by_name["ghi_chu"].kind == "textarea"
    assert by_name["dong_y"].kind == "checkbox"


def test_posted_values_are_typed_trimmed_nfc_and_empty_ones_left_out() -> None:
    fields = fields_of(SCHEMA, None)
    decomposed = unicodedata.normalize("NFD", "  Nguyễn Thị Hồng Nhung ")
    form = parse(
        fields, {"f_ho_ten": decomposed, "f_so_con": "2", "f_ngay_sinh": "", "f_gioi_tinh": "Nữ"}
    )
    assert form == {
        "ho_ten": "Nguyễn Thị Hồng Nhung",
        "so_con": 2,
        "gioi_tinh": "Nữ",
        "dong_y": False,
    }
    assert unicodedata.is_normalized("NFC", form["ho_ten"])
    assert parse(fields, {"f_so_con": "hai"})["so_con"] == "hai"  # the schema check names it


def test_officer_forms_become_the_dossier_api_bodies() -> None:
    assert _body(
        "request-supplement",
        {
            "csrf": "x",
            "item_TK": "on",
            "why_TK": " Thiếu chữ ký ",
            "why_GCS": "không chọn",
            "reason": "Chưa hợp lệ",
        },
    ) == {"items": [{"document_code": "TK", "reason": "Thiếu chữ ký"}], "reason": "Chưa hợp lệ"}
    assert _body("approve", {"result_number": "KS-1/2026", "result_note": ""}) == {
        "result": {"number": "KS-1/2026"}
    }
    assert _body(
        "extend", {"reason": "Chờ xác minh", "new_appointment_at": "2026-12-01T10:00"}
    ) == {"reason": "Chờ xác minh", "new_appointment_at": "2026-12-01T10:00:00+07:00"}
    assert _body("accept", {"csrf": "x"}) == {}
