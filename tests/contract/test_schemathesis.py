"""Schemathesis against every service's OpenAPI document and the gateway's combined one, on
the running suite, as a signed-in citizen: no input gets a server error, and no answer
contradicts the document (status, media type, headers, body shape; invalid input refused).

Each run is bounded (a few examples per operation, one worker, a fixed seed), so CI spends a
few minutes here in all, and a failure reproduces with the command the report prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.caller import registered_citizen, signed_in
from tests.e2e.journey import Person
from tests.e2e.suite import Suite

pytestmark = pytest.mark.integration

SEED = 20251204
CONFIG = Path(__file__).with_name("schemathesis.toml")
# name -> (examples per operation, seconds the whole run may take at most)
TARGETS = {
    "gateway": (12, 420),
    "identity": (6, 240),
    "catalog": (6, 240),
    "dossier": (6, 300),
    "payment": (6, 240),
    "notify": (6, 240),
}
# Every check of what the document promises. Not `positive_data_acceptance`: it counts a
# refusal of input the schema allows (an unknown activation token, a cursor no page gave)
# as a failure, where the document says the operation answers 400/422 problem+json.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
]
# Whether a request without the token is refused: the gateway and every service verify it.
AUTH_CHECKS = ["ignored_auth", "missing_required_header"]


@pytest.fixture(scope="module")
def citizen(suite: Suite) -> Person:
    return registered_citizen(suite)


@pytest.mark.parametrize("target", list(TARGETS))
def test_no_server_error_and_no_answer_contradicts_the_document(
    suite: Suite, citizen: Person, target: str, tmp_path: Path
) -> None:
    examples, budget = TARGETS[target]
    headers = signed_in(suite, citizen)
    if target == "gateway":
        base, document = suite.gateway_url, "/api/v1/openapi.json"
    else:
        base, document = suite.url(target), "/openapi.json"
    checks = [*CHECKS, *AUTH_CHECKS]
    report = tmp_path / "report.json"
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG)),
        *("run", base + document),
        *("--url", base, "--seed", str(SEED), "--max-examples", str(examples)),
        *("--workers", "1", "--checks", ",".join(checks)),
        *("--request-timeout", "30", "--output-truncate", "true"),
        *("--report", "json", "--report-json-path", str(report)),
        *(arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=budget, check=False, cwd=tmp_path
    )
    assert report.exists(), f"schemathesis did not run:\n{run.stdout[-4000:]}\n{run.stderr}"
    result = json.loads(report.read_text(encoding="utf-8"))
    found = [
        f"{failure['code']} {failure['title']}: {', '.join(failure['operations'])}"
        for failure in result["failures"]
    ]
    assert (found, result["errors"]) == ([], []), run.stdout[-12000:]
    assert result["operations"]["tested"] > 0
