"""The demo catalogue builds into valid versions: enough procedures, fields and levels,
real JSON Schemas and real .docx forms."""

from __future__ import annotations

import io
import zipfile

from jsonschema import Draft202012Validator

from services.catalog.adapters.docx_forms import form_docx
from services.catalog.domain.model import ProcedureContent
from services.catalog.entrypoints.seed import load, procedure_content


def _contents() -> list[ProcedureContent]:
    meta = load("agencies.yaml")
    return [procedure_content(raw, meta, []) for raw in load("procedures.yaml")["procedures"]]


def test_at_least_40_procedures_over_6_fields_and_every_service_level() -> None:
    contents = _contents()
    assert len(contents) >= 40
    assert len({c.code for c in contents}) == len(contents)
    assert len({c.field_code for c in contents}) >= 6
    assert {c.service_level for c in contents} == {1, 2, 3, 4}


def test_procedures_use_only_demo_agencies_and_fields_spread_over_six_communes() -> None:
    meta = load("agencies.yaml")
    agencies = {a["code"]: a for a in meta["agencies"]}
    fields = {f["code"] for f in meta["fields"]}
    used: set[str] = set()
    for content in _contents():
        assert content.field_code in fields
        for code in content.agency_codes:
            assert not agencies[code].get("retired"), code
        used.update(content.agency_codes)
    assert sum(agencies[c]["tier"] == "commune" for c in used) >= 6


def test_birth_registration_is_level_4_at_the_communes() -> None:
    birth = next(c for c in _contents() if c.code == "1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.service_level == 4 and birth.government_level == "commune"
    assert "NB.HOALU" in birth.agency_codes


def test_every_form_is_a_valid_2020_12_schema_with_vietnamese_titles() -> None:
    for content in _contents():
        Draft202012Validator.check_schema(content.form_schema)
        assert all(p["title"] for p in content.form_schema["properties"].values())
        assert content.form_ui["order"] == list(content.form_schema["properties"])


def test_generated_form_is_a_docx_with_the_title_and_fields() -> None:
    schema = {"properties": {"ho_ten": {"title": "Họ và tên"}}}
    data = form_docx("Tờ khai đăng ký khai sinh", "Ủy ban nhân dân phường Hoa Lư", schema)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml").decode()
        assert "[Content_Types].xml" in archive.namelist()
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in document and "Họ và tên" in document
    assert data == form_docx("Tờ khai đăng ký khai sinh", "Ủy ban nhân dân phường Hoa Lư", schema)


# The document types of identity's wallet (services/identity, docs/api.md).
WALLET_TYPES = {
    "cccd",
    "ho_chieu",
    "giay_khai_sinh",
    "giay_phep_lai_xe",
    "so_ho_khau",
    "bang_tot_nghiep",
    "giay_chung_nhan_dang_ky_doanh_nghiep",
    "khac",
}


def test_documents_name_only_wallet_types_identity_knows() -> None:
    used = {t for c in _contents() for d in c.required_documents for t in d.wallet_types}
    assert used and used <= WALLET_TYPES
