"""The working-day calendar across Tết and a weekend, and the admins' yearly overrides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.catalog.tests.integration.support import (
    ADMIN,
    CITIZEN,
    RunningCatalog,
    events_for,
    running_catalog,
)
from tests.support.engines import Engines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCatalog]:
    with running_catalog(
        engines, tmp_path_factory.mktemp("catalog-calendar"), seed=False
    ) as running:
        yield running


def _due(catalog: RunningCatalog, start: str, days: int) -> str:
    response = catalog.api.post(
        "/api/v1/catalog/calendar/add-working-days", json={"start": start, "days": days}
    )
    assert response.status_code == 200, response.text
    return response.json()["due_local"]


def test_the_year_lists_tet_with_its_names(catalog: RunningCatalog) -> None:
    year = catalog.api.get("/api/v1/catalog/calendar/2026").json()
    days_off = {d["date"]: d["name"] for d in year["days_off"]}
    assert days_off["2026-02-17"] == "Tết Nguyên Đán"
    assert {"2026-01-01", "2026-02-16", "2026-02-20", "2026-04-30", "2026-09-02"} <= set(days_off)


def test_working_days_skip_tet_and_the_weekends_around_it(catalog: RunningCatalog) -> None:
    # Thursday 12 Feb 2026, 10:00: Friday 13 is day 1; 14-15 weekend; 16-20 Tết;
    # 21-22 weekend; Monday 23 is day 2, Tuesday 24 day 3.
    assert _due(catalog, "2026-02-12T10:00:00+07:00", 3) == "2026-02-24T10:00:00+07:00"
    # A plain weekend: Friday 6 March + 1 working day = Monday 9 March.
    assert _due(catalog, "2026-03-06T03:00:00Z", 1) == "2026-03-09T10:00:00+07:00"


def test_an_admin_override_moves_the_dates_and_is_published(catalog: RunningCatalog) -> None:
    api = catalog.api
    body = {
        "days_off": ["2026-02-23"],
        "working_days": ["2026-02-28"],
        "reason": "Thông báo nghỉ Tết của Thủ tướng Chính phủ",
    }
    assert api.put("/api/v1/catalog/calendar/2026", json=body, headers=CITIZEN).status_code == 403
    assert _due(catalog, "2026-02-12T10:00:00+07:00", 3) == "2026-02-24T10:00:00+07:00"

    saved = api.put("/api/v1/catalog/calendar/2026", json=body, headers=ADMIN)
    assert saved.status_code == 200, saved.text
    # day 1 = Fri 13; Mon 23 is now off; Tue 24 day 2, Wed 25 day 3.
    assert _due(catalog, "2026-02-12T10:00:00+07:00", 3) == "2026-02-25T10:00:00+07:00"
    # Saturday 28 Feb now works: from Friday 27, one working day is that Saturday.
    assert _due(catalog, "2026-02-27T10:00:00+07:00", 1) == "2026-02-28T10:00:00+07:00"
    year = api.get("/api/v1/catalog/calendar/2026").json()
    assert year["overrides"] == {"days_off": ["2026-02-23"], "working_days": ["2026-02-28"]}
    assert {
        "date": "2026-02-28",
        "name": "Ngày làm việc bù theo thông báo của Chính phủ",
        "source": "override",
    } in year["working_days"]

    [event] = events_for(catalog, "calendar-2026", 1)
    assert event["type"] == "vn.motcua.catalog.calendar_updated"
    assert event["data"] == {
        "year": 2026,
        "days_off": ["2026-02-23"],
        "working_days": ["2026-02-28"],
        "reason": body["reason"],
    }


def test_bad_calendar_input_is_a_problem(catalog: RunningCatalog) -> None:
    api = catalog.api
    outside = api.put(
        "/api/v1/catalog/calendar/2027",
        headers=ADMIN,
        json={"days_off": ["2026-05-04"], "reason": "nhầm năm"},
    )
    assert outside.status_code == 422 and outside.json()["type"].endswith("/invalid-calendar")
    naive = api.post(
        "/api/v1/catalog/calendar/add-working-days",
        json={"start": "2026-02-12T10:00:00", "days": 1},
    )
    assert naive.status_code == 422 and "múi giờ" in naive.json()["detail"]
    negative = api.post(
        "/api/v1/catalog/calendar/add-working-days",
        json={"start": "2026-02-12T10:00:00Z", "days": -1},
    )
    assert negative.status_code == 422
    assert api.get("/api/v1/catalog/calendar/1800").status_code == 422
