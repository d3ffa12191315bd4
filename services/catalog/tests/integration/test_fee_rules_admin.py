"""Admins publish fee rules through the catalogue's API: a line that names a missing or
mistyped form field, or replaces a line that does not exist, is refused with
problem+json in Vietnamese and changes nothing; a valid one travels on Kafka whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.catalog.tests.integration.support import (
    ADMIN,
    RunningCatalog,
    events_for,
    running_catalog,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
CODE = "9.000501"
PHI = {"code": "PHI", "name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000}
PHI_SV = {
    "code": "PHI_SV",
    "name": "Phí đối với sinh viên",
    "amount": 100000,
    "applies_if": "giam_phi",
    "replaces": "PHI",
}
PHI_THEM = {
    "code": "PHI_THEM",
    "name": "Phí cấp từ Phiếu thứ 3 trở lên",
    "amount": 5000,
    "rule": "per_copy",
    "quantity_field": "so_luong",
    "free_units": 2,
}


@pytest.fixture(scope="module")
def catalog(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCatalog]:
    with running_catalog(engines, tmp_path_factory.mktemp("catalog-fees")) as running:
        yield running


def _procedure(fees: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "code": CODE,
        "name": "Cấp Phiếu lý lịch tư pháp thử nghiệm",
        "field_code": "LLTP",
        "service_level": 4,
        "agency_codes": ["NB.STP"],
        "government_level": "province",
        "steps": ["Nộp tờ khai", "Nhận Phiếu"],
        "time_limit_days": 10,
        "form_schema": {
            "type": "object",
            "required": ["so_luong"],
            "properties": {
                "so_luong": {"title": "Số lượng Phiếu", "type": "integer", "minimum": 1},
                "giam_phi": {"title": "Thuộc đối tượng được giảm phí", "type": "boolean"},
                "muc_dich": {"title": "Mục đích", "type": "string"},
            },
        },
        "fees": fees,
        "result_delivery": ["office", "online"],
    }


def test_fee_rules_are_checked_against_the_form_and_published_whole(
    catalog: RunningCatalog,
) -> None:
    api = catalog.api
    refusals = [
        ([{**PHI_THEM, "quantity_field": "so_ban"}], "«so_ban» không có trong tờ khai"),
        ([{**PHI_THEM, "quantity_field": "muc_dich"}], "phải là số nguyên"),
        ([PHI, {**PHI_SV, "applies_if": "so_luong"}], "phải là ô đánh dấu"),
        ([PHI_SV, PHI_THEM], "thay thế khoản «PHI» không có"),
    ]
    for fees, detail in refusals:
        refused = api.post("/api/v1/catalog/procedures", json=_procedure(fees), headers=ADMIN)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["type"].endswith("/invalid-procedure") and detail in body["detail"]
        assert body["errors"]
    assert (
        api.get(f"/api/v1/catalog/procedures/{CODE}/draft", headers=ADMIN).status_code == 404
    )  # nothing was written

    created = api.post(
        "/api/v1/catalog/procedures", json=_procedure([PHI, PHI_SV, PHI_THEM]), headers=ADMIN
    )
    assert created.status_code == 201, created.text
    published = api.post(
        f"/api/v1/catalog/procedures/{CODE}/publish",
        headers=ADMIN,
        json={"reason": "Thông tư 244/2016/TT-BTC"},
    )
    assert published.status_code == 200, published.text
    fees = api.get(f"/api/v1/catalog/procedures/{CODE}").json()["fees"]
    assert (fees[1]["applies_if"], fees[1]["replaces"]) == ("giam_phi", "PHI")
    assert (fees[2]["quantity_field"], fees[2]["free_units"]) == ("so_luong", 2)
    [event] = events_for(catalog, CODE, 1)
    assert event["data"]["fees"] == fees
    listed = api.get("/api/v1/catalog/procedures", params={"q": "lý lịch tư pháp thử"}).json()
    card = next(i for i in listed["items"] if i["code"] == CODE)
    assert (card["fee_total"], card["fee_counted"]) == (200000, True)
