"""Publishing, versions and withdrawal as use cases, on in-memory fakes of the stores."""

from __future__ import annotations

from typing import Any

import pytest

from services.catalog.domain.errors import (
    InvalidProcedureError,
    NotFoundError,
    NothingToPublishError,
    NotPublishedError,
)
from services.catalog.domain.model import Agency, ProcedureContent, ProcedureField
from services.catalog.tests.unit.fakes import FakeCatalog
from shared.events.envelope import Actor

ADMIN = Actor(id="admin-1", role="admin")


def _content(**changes: Any) -> ProcedureContent:
    return ProcedureContent.model_validate(
        {
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
            },
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": 0}],
            **changes,
        }
    )


async def _catalog() -> FakeCatalog:
    catalog = FakeCatalog()
    await catalog.registry.save_field(ProcedureField(code="HOTICH", name="Hộ tịch"), ADMIN)
    await catalog.registry.save_agency(
        Agency(code="NB", name="Ủy ban nhân dân tỉnh Ninh Bình", tier="province"), ADMIN
    )
    await catalog.registry.save_agency(
        Agency(
            code="NB.HOALU", name="Ủy ban nhân dân phường Hoa Lư", tier="commune", parent_code="NB"
        ),
        ADMIN,
    )
    return catalog


async def test_each_publication_is_a_new_version_and_old_ones_stay() -> None:
    catalog = await _catalog()
    await catalog.procedures.save_draft(_content(), ADMIN)
    assert (await catalog.procedures.publish("1.001193", ADMIN)).version == 1
    await catalog.procedures.save_draft(_content(time_limit_days=3), ADMIN)
    assert (await catalog.procedures.publish("1.001193", ADMIN)).version == 2

    old, meta = await catalog.procedures.version("1.001193", 1)
    assert (old.time_limit_days, meta["status"]) == (1, "superseded")
    current, meta = await catalog.procedures.version("1.001193")
    assert (current.time_limit_days, meta["status"]) == (3, "current")
    events = catalog.store.events
    assert [(e.type, e.sequence, e.data["version"]) for e in events] == [
        ("vn.motcua.catalog.procedure_published", 1, 1),
        ("vn.motcua.catalog.procedure_published", 2, 2),
    ]
    assert events[1].data["time_limit_days"] == 3 and events[1].actor == ADMIN
    listed = catalog.store.docs["1.001193"]  # the listing follows, in the same write
    assert (listed["card"]["version"], listed["card"]["time_limit_days"]) == (2, 3)


async def test_an_unchanged_draft_is_not_published_twice() -> None:
    catalog = await _catalog()
    await catalog.procedures.save_draft(_content(), ADMIN)
    await catalog.procedures.publish("1.001193", ADMIN)
    with pytest.raises(NothingToPublishError):
        await catalog.procedures.publish("1.001193", ADMIN)
    assert len(catalog.store.events) == 1


async def test_withdrawal_hides_the_procedure_but_keeps_its_versions() -> None:
    catalog = await _catalog()
    await catalog.procedures.save_draft(_content(), ADMIN)
    await catalog.procedures.publish("1.001193", ADMIN)
    await catalog.procedures.withdraw("1.001193", ADMIN, "Bãi bỏ")
    with pytest.raises(NotFoundError):
        await catalog.procedures.version("1.001193")
    _, meta = await catalog.procedures.version("1.001193", 1)
    assert meta["status"] == "withdrawn"
    assert catalog.store.events[-1].data == {"code": "1.001193", "version": 1, "reason": "Bãi bỏ"}
    with pytest.raises(NotPublishedError):
        await catalog.procedures.withdraw("1.001193", ADMIN, "Lần nữa")
    assert (await catalog.procedures.publish("1.001193", ADMIN)).version == 2


async def test_a_procedure_needs_a_known_field_and_active_agencies() -> None:
    catalog = await _catalog()
    with pytest.raises(InvalidProcedureError):
        await catalog.procedures.save_draft(_content(field_code="KHONGCO"), ADMIN)
    await catalog.registry.save_agency(
        Agency(
            code="NB.H.GIAVIEN",
            name="Huyện Gia Viễn (cũ)",
            tier="former_district",
            parent_code="NB",
            retired=True,
        ),
        ADMIN,
    )
    with pytest.raises(InvalidProcedureError, match=r"NB\.H\.GIAVIEN"):
        await catalog.procedures.save_draft(_content(agency_codes=["NB.H.GIAVIEN"]), ADMIN)
    assert catalog.store.docs == {}


async def test_saving_an_unchanged_agency_records_no_event() -> None:
    catalog = await _catalog()
    before = len(catalog.agencies.events)
    await catalog.registry.save_agency(
        Agency(
            code="NB.HOALU", name="Ủy ban nhân dân phường Hoa Lư", tier="commune", parent_code="NB"
        ),
        ADMIN,
    )
    assert len(catalog.agencies.events) == before
    await catalog.registry.save_agency(
        Agency(
            code="NB.HOALU",
            name="Ủy ban nhân dân phường Hoa Lư",
            tier="commune",
            parent_code="NB",
            retired=True,
        ),
        ADMIN,
    )
    assert catalog.agencies.events[-1].data["retired"] is True
    assert catalog.agencies.events[-1].sequence == 2
