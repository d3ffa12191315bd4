"""The complete journey of issue 8 through the gateway's HTTP API only."""

from __future__ import annotations

import pytest

from tests.e2e.suite import Suite

pytestmark = pytest.mark.integration


def test_the_suite_answers_through_the_gateway(suite: Suite) -> None:
    with suite.client() as api:
        assert api.get("/healthz").status_code == 200
        found = api.get("/api/v1/catalog/procedures", params={"q": "khai sinh"})
        assert found.status_code == 200
        assert "1.001193" in found.text
