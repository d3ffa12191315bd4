"""The officer console's dossier page offers what the dossier service says this officer may
do now, and nothing else: each duty sees its own actions at each step, and the page costs
one call to the dossier service (dossier, timeline, form words and actions together)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.journey import (
    add_wallet_document,
    cite_wallet_document,
    extract_draft,
    log_in,
    new_citizen,
    officer_act,
    ok,
    pdf,
    register_and_activate,
    upload,
)
from tests.e2e.portal import portal_session
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration
OFFICES = ("receiver", "processor", "approver")


def offered(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return re.findall(r'data-action="([a-z-]+)"', page.text)


def upstream_calls(page: httpx.Response) -> int:
    found = re.search(r'upstream;desc="(\d+) calls"', page.headers["server-timing"])
    assert found, page.headers
    return int(found.group(1))


def test_each_duty_sees_the_actions_the_service_allows_it(suite: Suite) -> None:
    person = new_citizen("bang-thao-tac")
    citizen = register_and_activate(suite, person)
    consoles = {name: portal_session(suite, f"{name}.hoalu@motcua.local") for name in OFFICES}
    api = {name: log_in(suite, f"{name}.hoalu@motcua.local") for name in OFFICES}
    try:
        dossier_id = extract_draft(citizen, person)
        upload(citizen, dossier_id, "TK", "to-khai.pdf", pdf("tk-thao-tac" + person.email))
        cite_wallet_document(
            citizen, dossier_id, "GTTT", add_wallet_document(citizen, person.national_id)
        )
        code = ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))["code"]
        path = f"/can-bo/ho-so/{dossier_id}"

        def in_queue() -> httpx.Response | None:
            queue = consoles["receiver"].get("/can-bo?hang=to_receive")
            return queue if code in queue.text else None

        queue = wait_until(in_queue, 30, "the dossier in the queue to receive")
        assert upstream_calls(queue) == 1  # the page of the queue and the tabs' sizes together

        received = consoles["receiver"].get(path)
        assert offered(received) == ["accept", "request-supplement", "reject-at-reception"]
        # the dossier page and the fee orders; no catalog call, no second dossier call
        assert upstream_calls(received) == 2
        assert offered(consoles["processor"].get(path)) == []  # not received yet

        officer_act(api["receiver"], dossier_id, "accept")
        assert offered(consoles["receiver"].get(path)) == []
        assert offered(consoles["processor"].get(path)) == ["start-processing"]

        officer_act(api["processor"], dossier_id, "start-processing")
        processing = offered(consoles["processor"].get(path))
        assert "approve" not in processing and "reject" not in processing
        assert {"request-supplement", "opinions", "propose"} <= set(processing)
        approving = offered(consoles["approver"].get(path))
        assert {"approve", "reject", "extend", "opinions"} <= set(approving)
        assert "propose" not in approving and "start-processing" not in approving
    finally:
        citizen.close()
        for console in consoles.values():
            console.close()
        for session in api.values():
            session.close()
