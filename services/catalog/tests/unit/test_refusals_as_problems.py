"""A refusal of the catalogue answers problem+json with its own status, stable ``type`` and
Vietnamese ``detail``, through the suite's one handler (the store is never reached)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.catalog.domain.errors import CatalogError, InvalidCalendarError
from services.catalog.entrypoints.http.app import build_app
from services.catalog.settings import CatalogSettings
from shared.errors import Problem


def test_every_catalog_error_is_a_problem() -> None:
    refused = InvalidCalendarError("Ngày không hợp lệ.", errors=[{"field": "start"}])
    assert isinstance(refused, CatalogError) and isinstance(refused, Problem)
    assert (refused.status, refused.type, refused.detail) == (
        422,
        "invalid-calendar",
        "Ngày không hợp lệ.",
    )
    assert refused.extensions == {"errors": [{"field": "start"}]}


def test_a_refused_request_answers_its_problem() -> None:
    settings = CatalogSettings(
        postgres_dsn="postgresql://catalog:x@127.0.0.1:1/motcua",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    with TestClient(build_app(settings)) as client:
        response = client.post(
            "/api/v1/catalog/calendar/add-working-days",
            json={"start": "2026-03-02T08:00:00", "days": 3},  # no time zone
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://motcua.vn/problems/invalid-calendar"
    assert problem["detail"] == "Thời điểm bắt đầu phải kèm múi giờ (ví dụ +07:00)."
    assert problem["instance"] == "/api/v1/catalog/calendar/add-working-days"


def test_a_start_outside_the_calendar_years_is_refused_not_answered_in_local_mean_time() -> None:
    """Found by schemathesis: a start in year 685 answered ``due_local`` at +07:06:30."""
    settings = CatalogSettings(
        postgres_dsn="postgresql://catalog:x@127.0.0.1:1/motcua",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    with TestClient(build_app(settings)) as client:
        response = client.post(
            "/api/v1/catalog/calendar/add-working-days",
            json={"start": "0685-10-19T14:10:58+07:00", "days": 1},
        )
    assert response.status_code == 422
    assert response.json()["type"] == "https://motcua.vn/problems/invalid-calendar"
    assert response.json()["detail"] == "Năm phải nằm trong khoảng 2000–2100."


def test_another_method_on_the_date_helper_is_405_not_a_year() -> None:
    settings = CatalogSettings(
        postgres_dsn="postgresql://catalog:x@127.0.0.1:1/motcua",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    with TestClient(build_app(settings)) as client:
        response = client.put("/api/v1/catalog/calendar/add-working-days", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_boolean_is_no_number_of_working_days() -> None:
    settings = CatalogSettings(
        postgres_dsn="postgresql://catalog:x@127.0.0.1:1/motcua",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    with TestClient(build_app(settings)) as client:
        response = client.post(
            "/api/v1/catalog/calendar/add-working-days",
            json={"start": "2026-03-02T08:00:00+07:00", "days": False},
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "days", "code": "int_type"}]


def test_a_count_of_working_days_out_of_bounds_is_refused() -> None:
    settings = CatalogSettings(
        postgres_dsn="postgresql://catalog:x@127.0.0.1:1/motcua",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    with TestClient(build_app(settings), raise_server_exceptions=False) as client:
        for days in (-1, 1001, 10**400):
            response = client.post(
                "/api/v1/catalog/calendar/add-working-days",
                json={"start": "2026-03-02T08:00:00+07:00", "days": days},
            )
            assert response.status_code == 422, days
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["type"] == "https://motcua.vn/problems/validation-error"
            assert [e["field"] for e in problem["errors"]] == ["days"]
