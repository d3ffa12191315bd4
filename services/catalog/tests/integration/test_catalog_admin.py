"""Admins create, edit, publish and withdraw procedures; every published version stays
readable and travels on Kafka; nobody else may write; templates are real files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from services.catalog.tests.integration.support import (
    ADMIN,
    CITIZEN,
    OFFICER,
    RunningCatalog,
    events_for,
    running_catalog,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def catalog(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCatalog]:
    with running_catalog(engines, tmp_path_factory.mktemp("catalog-admin")) as running:
        yield running


def _procedure(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Cấp giấy phép xuất bản bản tin thử nghiệm",
        "field_code": "XUATBAN",
        "service_level": 3,
        "agency_codes": ["NB.SVHTTDL"],
        "government_level": "province",
        "steps": ["Nộp hồ sơ trực tuyến", "Nhận giấy phép"],
        "required_documents": [
            {"code": "TK", "name": "Tờ khai", "originals": 1, "copies": 0, "wallet_types": []}
        ],
        "form_schema": {
            "type": "object",
            "required": ["ten_ban_tin"],
            "properties": {"ten_ban_tin": {"title": "Tên bản tin", "type": "string"}},
        },
        "time_limit_days": 10,
        "fees": [{"code": "LP", "name": "Lệ phí", "amount": 0}],
        "result_delivery": ["office", "post"],
        "legal_basis": ["Luật Báo chí 2016"],
        **changes,
    }


def test_versions_are_immutable_and_stay_readable(catalog: RunningCatalog) -> None:
    api, code = catalog.api, "9.000001"
    assert (
        api.post("/api/v1/catalog/procedures", json=_procedure(code), headers=ADMIN).status_code
        == 201
    )
    assert api.get(f"/api/v1/catalog/procedures/{code}").status_code == 404  # a draft only
    assert (
        api.post(
            f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN, json={"reason": "ban hành"}
        ).json()["version"]
        == 1
    )

    changed = _procedure(
        code, time_limit_days=7, fees=[{"code": "LP", "name": "Lệ phí", "amount": 50000}]
    )
    saved = api.put(
        f"/api/v1/catalog/procedures/{code}/draft",
        headers=ADMIN,
        json={**changed, "reason": "Thông tư mới"},
    )
    assert saved.status_code == 200, saved.text
    current = api.get(f"/api/v1/catalog/procedures/{code}").json()
    assert (current["version"], current["time_limit_days"]) == (1, 10)  # the draft is not live

    assert (
        api.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN).json()["version"] == 2
    )
    nothing = api.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN)
    assert nothing.status_code == 409 and nothing.json()["type"].endswith("/nothing-to-publish")

    v1 = api.get(f"/api/v1/catalog/procedures/{code}", params={"version": 1}).json()
    v2 = api.get(f"/api/v1/catalog/procedures/{code}").json()
    assert (v1["version"], v1["status"], v1["time_limit_days"], v1["fees"][0]["amount"]) == (
        1,
        "superseded",
        10,
        0,
    )
    assert (v2["version"], v2["status"], v2["time_limit_days"], v2["fees"][0]["amount"]) == (
        2,
        "current",
        7,
        50000,
    )
    assert api.get(f"/api/v1/catalog/procedures/{code}", params={"version": 3}).status_code == 404

    withdrawn = api.post(
        f"/api/v1/catalog/procedures/{code}/withdraw",
        headers=ADMIN,
        json={"reason": "Thủ tục bị bãi bỏ"},
    )
    assert withdrawn.status_code == 200
    assert api.get(f"/api/v1/catalog/procedures/{code}").status_code == 404
    assert (
        api.get("/api/v1/catalog/procedures", params={"q": "ban tin thu nghiem"}).json()["total"]
        == 0
    )
    old = api.get(f"/api/v1/catalog/procedures/{code}", params={"version": 2}).json()
    assert old["status"] == "withdrawn" and old["time_limit_days"] == 7

    events = events_for(catalog, code, 3)
    assert [(e["type"], e["data"]["version"]) for e in events] == [
        ("vn.motcua.catalog.procedure_published", 1),
        ("vn.motcua.catalog.procedure_published", 2),
        ("vn.motcua.catalog.procedure_withdrawn", 2),
    ]
    assert [e["sequence"] for e in events] == [1, 2, 3]
    assert events[0]["actor"]["id"] == "admin-1" and events[0]["actor"]["role"] == "admin"
    published = events[1]["data"]
    assert published["form_schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (published["service_level"], published["mode"], published["time_limit_days"]) == (
        3,
        "mot_phan",
        7,
    )
    assert published["fees"] == [{"code": "LP", "name": "Lệ phí", "amount": 50000, "rule": None}]
    assert published["agency_codes"] == ["NB.SVHTTDL"]
    assert events[2]["data"]["reason"] == "Thủ tục bị bãi bỏ"


WRITES = [
    ("post", "/api/v1/catalog/procedures", _procedure("9.000002")),
    ("put", "/api/v1/catalog/procedures/1.001193/draft", _procedure("1.001193")),
    ("post", "/api/v1/catalog/procedures/1.001193/publish", {}),
    ("post", "/api/v1/catalog/procedures/1.001193/withdraw", {"reason": "không được phép"}),
    (
        "put",
        "/api/v1/catalog/agencies/NB.HOALU",
        {"name": "Đổi tên", "tier": "commune", "parent_code": "NB"},
    ),
    ("put", "/api/v1/catalog/fields/HOTICH", {"name": "Đổi tên"}),
    ("put", "/api/v1/catalog/calendar/2026", {"days_off": ["2026-03-02"], "reason": "thử"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_only_admins_write(
    catalog: RunningCatalog, method: str, path: str, body: dict[str, Any]
) -> None:
    for headers, status in ((CITIZEN, 403), (OFFICER, 403), ({}, 401)):
        response = catalog.api.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (headers, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert catalog.api.get("/api/v1/catalog/procedures/1.001193").json()["version"] == 1
    assert catalog.api.get("/api/v1/catalog/agencies/NB.HOALU").json()["name"] == (
        "Ủy ban nhân dân phường Hoa Lư"
    )
    assert catalog.api.get("/api/v1/catalog/procedures/9.000002").status_code == 404


def test_invalid_writes_are_explained_and_change_nothing(catalog: RunningCatalog) -> None:
    api = catalog.api
    bad_fee = api.post(
        "/api/v1/catalog/procedures",
        headers=ADMIN,
        json=_procedure("9.000003", fees=[{"code": "LP", "name": "Lệ phí", "amount": -5}]),
    )
    assert bad_fee.status_code == 422
    assert bad_fee.json()["type"].endswith("/invalid-procedure")
    assert "không hợp lệ" in bad_fee.json()["detail"]
    retired = api.post(
        "/api/v1/catalog/procedures",
        headers=ADMIN,
        json=_procedure("9.000003", agency_codes=["NB.H.GIAVIEN"]),
    )
    assert retired.status_code == 422 and "NB.H.GIAVIEN" in retired.json()["detail"]
    taken = api.post("/api/v1/catalog/procedures", headers=ADMIN, json=_procedure("1.001193"))
    assert taken.status_code == 409
    orphan = api.put(
        "/api/v1/catalog/agencies/NB.MOI",
        headers=ADMIN,
        json={"name": "Phường Mới", "tier": "commune", "parent_code": "XX"},
    )
    assert orphan.status_code == 422 and orphan.json()["type"].endswith("/invalid-agency")
    assert api.get("/api/v1/catalog/agencies/NB.MOI").status_code == 404
    assert api.get("/api/v1/catalog/procedures/1.001193").json()["version"] == 1


def test_an_agency_is_retired_but_stays_readable(catalog: RunningCatalog) -> None:
    api = catalog.api
    body = {"name": "Ủy ban nhân dân xã Thử Nghiệm", "tier": "commune", "parent_code": "NB"}
    assert api.put("/api/v1/catalog/agencies/NB.THU", headers=ADMIN, json=body).status_code == 200
    assert (
        api.put(
            "/api/v1/catalog/agencies/NB.THU", headers=ADMIN, json={**body, "retired": True}
        ).status_code
        == 200
    )
    listed = {a["code"] for a in api.get("/api/v1/catalog/agencies").json()["items"]}
    assert "NB.THU" not in listed
    every = api.get("/api/v1/catalog/agencies", params={"include_retired": True}).json()
    assert "NB.THU" in {a["code"] for a in every["items"]}
    assert api.get("/api/v1/catalog/agencies/NB.THU").json()["retired"] is True
    events = events_for(catalog, "NB.THU", 2)
    assert [(e["type"], e["data"]["retired"]) for e in events] == [
        ("vn.motcua.catalog.agency_saved", False),
        ("vn.motcua.catalog.agency_saved", True),
    ]


def test_seeded_template_downloads_as_a_word_file_with_its_vietnamese_name(
    catalog: RunningCatalog,
) -> None:
    birth = catalog.api.get("/api/v1/catalog/procedures/1.001193").json()
    template = birth["templates"][0]
    assert template["filename"] == "Tờ khai đăng ký khai sinh.docx"
    response = catalog.api.get(f"/api/v1/catalog/procedures/1.001193/templates/{template['code']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="To khai dang ky khai sinh.docx"' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "Tờ khai đăng ký khai sinh.docx"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in archive.read("word/document.xml").decode()
    missing = catalog.api.get("/api/v1/catalog/procedures/1.001193/templates/NOPE")
    assert missing.status_code == 404


def test_an_uploaded_template_is_sniffed_and_versioned(catalog: RunningCatalog) -> None:
    api, code = catalog.api, "9.000004"
    assert (
        api.post("/api/v1/catalog/procedures", json=_procedure(code), headers=ADMIN).status_code
        == 201
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = f"/api/v1/catalog/procedures/{code}/draft/templates/MAU01"
    params = {"name": "Mẫu số 01", "filename": "Mẫu số 01.pdf"}
    refused = api.put(upload, params=params, content=b"just text, not a form", headers=ADMIN)
    assert refused.status_code == 422 and refused.json()["type"].endswith("/invalid-template")
    assert api.put(upload, params=params, content=pdf, headers=CITIZEN).status_code == 403
    stored = api.put(upload, params=params, content=pdf, headers=ADMIN)
    assert stored.status_code == 200, stored.text
    assert stored.json()["content_type"] == "application/pdf"
    api.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN)
    download = api.get(f"/api/v1/catalog/procedures/{code}/templates/MAU01")
    assert download.content == pdf and download.headers["content-type"] == "application/pdf"
    assert unquote(download.headers["content-disposition"].split("''")[1]) == "Mẫu số 01.pdf"


def test_two_admins_publishing_at_once_make_exactly_one_version(catalog: RunningCatalog) -> None:
    api, code = catalog.api, "9.000005"
    assert (
        api.post("/api/v1/catalog/procedures", json=_procedure(code), headers=ADMIN).status_code
        == 201
    )
    path = f"/api/v1/catalog/procedures/{code}/publish"
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda _: api.post(path, headers=ADMIN).status_code, range(4)))
    assert statuses == [200, 409, 409, 409]
    current = api.get(f"/api/v1/catalog/procedures/{code}").json()
    assert current["version"] == current["latest_version"] == 1
    events = events_for(catalog, code, 1)
    assert [e["data"]["version"] for e in events] == [1]


def test_concurrent_edits_and_publishing_lose_no_version_and_no_event(
    catalog: RunningCatalog,
) -> None:
    """Every write is guarded by what its writer read (the draft's revision, ``seq``): a
    publish that lost a race is a 409, never a version without its event or a gap."""
    api, code = catalog.api, "9.000006"
    assert (
        api.post("/api/v1/catalog/procedures", json=_procedure(code), headers=ADMIN).status_code
        == 201
    )

    def cycle(n: int) -> int:
        saved = api.put(
            f"/api/v1/catalog/procedures/{code}/draft",
            headers=ADMIN,
            json=_procedure(code, time_limit_days=n + 1),
        )
        assert saved.status_code == 200, saved.text
        return api.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(cycle, range(12)))
    assert set(statuses) <= {200, 409}
    published = statuses.count(200)
    current = api.get(f"/api/v1/catalog/procedures/{code}").json()
    assert current["version"] == published >= 1
    for version in range(1, published + 1):
        assert (
            api.get(f"/api/v1/catalog/procedures/{code}", params={"version": version}).status_code
            == 200
        )
    events = events_for(catalog, code, published)
    assert [e["data"]["version"] for e in events] == list(range(1, published + 1))
    assert [e["sequence"] for e in events] == list(range(1, published + 1))
    assert events[-1]["data"]["time_limit_days"] == current["time_limit_days"]


def test_every_instance_sees_a_publication_at_once(catalog: RunningCatalog, tmp_path: Path) -> None:
    other = catalog.another_instance(tmp_path).start()
    try:
        with httpx.Client(base_url=other.url, timeout=30) as second:
            query = {"q": "ban tin thu nghiem lien phien"}
            assert second.get("/api/v1/catalog/procedures", params=query).json()["total"] == 0
            code = "9.000007"
            body = _procedure(code, name="Cấp giấy phép bản tin thử nghiệm liên phiên")
            catalog.api.post("/api/v1/catalog/procedures", json=body, headers=ADMIN)
            catalog.api.post(f"/api/v1/catalog/procedures/{code}/publish", headers=ADMIN)
            found = second.get("/api/v1/catalog/procedures", params=query).json()
            assert [i["code"] for i in found["items"]] == [code]
            catalog.api.post(
                f"/api/v1/catalog/procedures/{code}/withdraw",
                headers=ADMIN,
                json={"reason": "Thử rút"},
            )
            assert second.get("/api/v1/catalog/procedures", params=query).json()["total"] == 0
    finally:
        other.stop()
