"""Citizens find procedures as they type them, on the real PostgreSQL:
with or without diacritics, in any case, partial words; filters, paging, relevance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.catalog.tests.integration.support import RunningCatalog, running_catalog
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
BIRTH = "Đăng ký khai sinh"


@pytest.fixture(scope="module")
def catalog(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCatalog]:
    with running_catalog(engines, tmp_path_factory.mktemp("catalog-search")) as running:
        yield running


def _search(catalog: RunningCatalog, **params: str | int) -> dict[str, Any]:
    response = catalog.api.get("/api/v1/catalog/procedures", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "query",
    [
        "đăng ký khai sinh",
        "dang ky khai sinh",
        "Khai Sinh",
        "khai sinh",
        "KHAI SINH",
        "khai s",
        "dang ky khai s",
    ],
)
def test_birth_registration_comes_first_however_it_is_typed(
    catalog: RunningCatalog, query: str
) -> None:
    result = _search(catalog, q=query)
    assert result["items"][0]["name"] == BIRTH
    assert result["items"][0]["code"] == "1.001193"


def test_a_word_found_nowhere_finds_nothing(catalog: RunningCatalog) -> None:
    assert _search(catalog, q="khai sinh xyzw") == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
        "query": "khai sinh xyzw",
    }


def test_keywords_find_what_people_call_a_procedure(catalog: RunningCatalog) -> None:
    names = [i["name"] for i in _search(catalog, q="so do")["items"][:3]]
    assert any("Giấy chứng nhận" in n or "đất" in n for n in names)
    assert _search(catalog, q="ly lich tu phap")["items"][0]["code"] == "2.000488"


def test_filters_by_field_agency_and_level(catalog: RunningCatalog) -> None:
    civil = _search(catalog, field="HOTICH", page_size=100)
    assert civil["total"] >= 5
    assert {i["field_code"] for i in civil["items"]} == {"HOTICH"}

    at_justice = _search(catalog, agency="NB.STP", page_size=100)
    assert at_justice["total"] >= 1
    assert all("NB.STP" in i["agency_codes"] for i in at_justice["items"])

    level_one = _search(catalog, level=1, page_size=100)
    assert level_one["total"] >= 1
    assert {i["service_level"] for i in level_one["items"]} == {1}

    combined = _search(catalog, q="khai sinh", agency="NB.HOALU", level=4)
    assert combined["items"][0]["name"] == BIRTH
    assert _search(catalog, q="khai sinh", agency="NB.SXD")["total"] == 0


def test_paging_walks_every_result_once(catalog: RunningCatalog) -> None:
    everything = _search(catalog, page_size=100)
    assert everything["total"] >= 40
    seen: list[str] = []
    for page in range(1, 6):
        result = _search(catalog, page=page, page_size=10)
        assert result["total"] == everything["total"]
        seen += [i["code"] for i in result["items"]]
    assert len(seen) == len(set(seen)) == min(50, everything["total"])

    first = _search(catalog, q="dang ky", page=1, page_size=3)
    second = _search(catalog, q="dang ky", page=2, page_size=3)
    assert first["total"] == second["total"] > 6
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    assert first["items"][-1]["score"] >= second["items"][0]["score"]


def test_bad_parameters_are_problems_not_errors(catalog: RunningCatalog) -> None:
    response = catalog.api.get("/api/v1/catalog/procedures", params={"level": 7})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/validation-error")


def test_agencies_and_fields_are_public(catalog: RunningCatalog) -> None:
    agencies = catalog.api.get("/api/v1/catalog/agencies").json()["items"]
    codes = {a["code"] for a in agencies}
    assert {"NB", "NB.STP", "NB.HOALU", "NB.NHOQUAN"} <= codes
    assert "NB.H.GIAVIEN" not in codes  # retired: not offered by default...
    retired = catalog.api.get("/api/v1/catalog/agencies/NB.H.GIAVIEN").json()
    assert retired["retired"] is True and retired["tier"] == "former_district"  # ...but readable
    communes = catalog.api.get("/api/v1/catalog/agencies", params={"tier": "commune"}).json()
    assert communes["total"] == 6
    fields = catalog.api.get("/api/v1/catalog/fields").json()
    assert fields["total"] >= 6
    assert {"code": "HOTICH", "name": "Hộ tịch"} in fields["items"]


def test_a_procedure_reads_with_everything_a_citizen_needs(catalog: RunningCatalog) -> None:
    birth = catalog.api.get("/api/v1/catalog/procedures/1.001193").json()
    assert birth["name"] == BIRTH and birth["version"] == 1 and birth["status"] == "current"
    assert birth["service_level"] == 4 and birth["mode"] == "toan_trinh"
    assert birth["field"] == {"code": "HOTICH", "name": "Hộ tịch"}
    assert {"code": "NB.HOALU", "name": "Ủy ban nhân dân phường Hoa Lư"} in birth["agencies"]
    assert birth["steps"] and birth["legal_basis"] and birth["time_limit_days"] == 1
    assert birth["form_schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert any(d["wallet_types"] for d in birth["required_documents"])
    assert all(isinstance(f["amount"], int) for f in birth["fees"])
    missing = catalog.api.get("/api/v1/catalog/procedures/9.999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
