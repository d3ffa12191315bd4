"""Search on PostgreSQL itself, through the use cases on a fresh schema: folding as Python
folds, every way of typing a name, the ranking a citizen expects, and a procedure's
listing following its publications and withdrawal at once."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.catalog.application.catalog import Catalog
from services.catalog.bootstrap import build_catalog, open_store
from services.catalog.domain.model import Agency, ProcedureContent, ProcedureField
from services.catalog.domain.text import words
from services.catalog.settings import CatalogSettings
from services.catalog.tests.integration.support import drop_schema
from shared.events.envelope import Actor
from tests.support.engines import Engines

pytestmark = pytest.mark.integration
ADMIN = Actor(id="admin-1", role="admin")


@pytest.fixture
async def catalog(engines: Engines, run_id: str) -> AsyncIterator[Catalog]:
    pool = await open_store(
        CatalogSettings(postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    )
    try:
        built = build_catalog(pool)
        await built.registry.save_field(ProcedureField(code="HOTICH", name="Hộ tịch"), ADMIN)
        await built.registry.save_agency(
            Agency(code="NB", name="Ủy ban nhân dân tỉnh Ninh Bình", tier="province"), ADMIN
        )
        await built.registry.save_agency(
            Agency(
                code="NB.HOALU",
                name="Ủy ban nhân dân phường Hoa Lư",
                tier="commune",
                parent_code="NB",
            ),
            ADMIN,
        )
        yield built
    finally:
        await pool.close()
        drop_schema(engines.postgres_dsn, run_id)


async def _publish(
    catalog: Catalog, code: str, name: str, keywords: tuple[str, ...] = (), level: int = 4
) -> None:
    content = ProcedureContent.model_validate(
        {
            "code": code,
            "name": name,
            "field_code": "HOTICH",
            "service_level": level,
            "agency_codes": ["NB.HOALU"],
            "government_level": "commune",
            "steps": ["Nộp hồ sơ"],
            "time_limit_days": 1,
            "result_delivery": ["office"],
            "keywords": list(keywords),
            "form_schema": {"type": "object", "properties": {}},
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": 0}],
        }
    )
    await catalog.procedures.save_draft(content, ADMIN)
    await catalog.procedures.publish(code, ADMIN)


async def _codes(catalog: Catalog, q: str, **filters: Any) -> list[str]:
    return [i.code for i in (await catalog.search(q, **filters, page_size=100)).items]


async def test_postgresql_folds_every_vietnamese_letter_as_python_does(catalog: Catalog) -> None:
    letters = [
        unicodedata.normalize("NFC", base + mark)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    ]
    text = " ".join([*letters, "đ", "Đ", "Thu\u0309 tu\u0323c", "1.001193", "ĐĂNG-KÝ/kết_hôn"])
    pool = catalog.search.store.pool  # type: ignore[attr-defined]
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT search_words(%s) AS w", (text,))).fetchone()
    assert row["w"].split(" ") == words(text)


async def test_every_way_of_typing_a_name_finds_it(catalog: Catalog) -> None:
    await _publish(catalog, "1.001193", "Đăng ký khai sinh")
    await _publish(catalog, "1.000894", "Đăng ký kết hôn")
    for query in (
        "đăng ký khai sinh",
        "dang ky khai sinh",
        "Khai Sinh",
        "KHAI SINH",
        "khai s",
        "dang ky khai s",
        "Đa\u0306ng ky\u0301 khai sinh",
        "001193",
    ):
        assert await _codes(catalog, query) == ["1.001193"], query
    assert await _codes(catalog, "kết hôn khai") == []
    assert await _codes(catalog, "ho tich") == ["1.000894", "1.001193"]  # the field's name


async def test_the_named_procedure_ranks_first(catalog: Catalog) -> None:
    await _publish(catalog, "1.004746", "Đăng ký lại khai sinh")
    await _publish(
        catalog, "1.004222", "Đăng ký tạm trú", ("khai báo tạm trú", "sinh viên thuê trọ")
    )
    await _publish(catalog, "1.001193", "Đăng ký khai sinh", ("giấy khai sinh",))
    for query in ("khai sinh", "dang ky khai sinh", "Đăng ký khai sinh", "KHAI SINH"):
        assert (await _codes(catalog, query))[0] == "1.001193", query
    result = await catalog.search("khai sinh")
    scores = [i.score for i in result.items if i.score is not None]  # every card is ranked
    assert len(scores) == result.total == 3 and scores == sorted(scores, reverse=True)


async def test_keyword_phrases_rank_above_scattered_word_beginnings(catalog: Catalog) -> None:
    await _publish(catalog, "A.1", "Cấp giấy phép hoạt động in", ("sổ sách", "đồ in"))
    await _publish(catalog, "B.1", "Đăng ký đất đai lần đầu", ("làm sổ đỏ",))
    assert (await _codes(catalog, "so do"))[0] == "B.1"


async def test_a_procedure_code_is_an_exact_hit(catalog: Catalog) -> None:
    await _publish(catalog, "1.0011", "Khác 1 001193")
    await _publish(catalog, "1.001193", "Đăng ký khai sinh")
    assert (await _codes(catalog, "1.001193"))[0] == "1.001193"


async def test_typed_diacritics_break_a_tie(catalog: Catalog) -> None:
    await _publish(catalog, "C.1", "Cấp bản sao")
    await _publish(catalog, "C.2", "Cập bản sao")
    assert (await _codes(catalog, "cập"))[0] == "C.2"
    assert (await _codes(catalog, "cấp"))[0] == "C.1"


async def test_a_changed_name_is_found_by_its_new_words_only(catalog: Catalog) -> None:
    await _publish(catalog, "1.001193", "Đăng ký khai sinh")
    assert await _codes(catalog, "khai sinh") == ["1.001193"]
    await _publish(catalog, "1.001193", "Đăng ký kết hôn")
    assert await _codes(catalog, "khai sinh") == []
    assert await _codes(catalog, "ket hon") == ["1.001193"]


async def test_a_withdrawn_procedure_leaves_search_and_the_list(catalog: Catalog) -> None:
    await _publish(catalog, "1.001193", "Đăng ký khai sinh")
    await _publish(catalog, "1.004746", "Đăng ký lại khai sinh", level=3)
    await catalog.procedures.withdraw("1.001193", ADMIN, "Bãi bỏ")
    assert await _codes(catalog, "khai sinh") == ["1.004746"]
    assert await _codes(catalog, "", level=4) == []
    assert await _codes(catalog, "") == ["1.004746"]
    past_the_end = await catalog.search("khai sinh", page=3, page_size=10)
    assert (past_the_end.items, past_the_end.total) == ([], 1)
