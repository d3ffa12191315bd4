"""«Đính kèm» without JavaScript: a plain form posts the file; a refused file brings the
form back with the reason in Vietnamese (not a silent redirect), a good one is listed."""

from __future__ import annotations

import html
import re

import pytest

from tests.e2e.journey import (
    extract_draft,
    new_citizen,
    ok,
    pdf,
    register_and_activate,
)
from tests.e2e.portal import portal_session
from tests.e2e.suite import Suite

pytestmark = pytest.mark.integration


def test_a_refused_file_is_explained_on_the_form_page(suite: Suite) -> None:
    person = new_citizen("dinh-kem")
    citizen = register_and_activate(suite, person)
    browser = portal_session(suite, person.email, person.password)
    try:
        dossier_id = extract_draft(citizen, person)
        page = browser.get(f"/ho-so/{dossier_id}/khai")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf, page.text

        def attach(name: str, content: bytes) -> tuple[int, str]:
            sent = browser.post(
                f"/ho-so/{dossier_id}/tep",
                data={"csrf": csrf.group(1), "document_code": "TK"},
                files={"file": (name, content, "application/pdf")},
            )
            return sent.status_code, html.unescape(sent.text)

        status, text = attach("to-khai.pdf", b"just text pretending to be a PDF")
        assert status == 415
        assert 'class="notice err"' in text and "Chỉ chấp nhận tệp PDF" in text, text
        assert ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["attachments"] == []

        status, _ = attach("to-khai.pdf", pdf("dinh-kem" + person.email))
        assert status == 303
        listed = ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["attachments"]
        assert [a["name"] for a in listed] == ["to-khai.pdf"]
    finally:
        browser.close()
        citizen.close()


def test_a_refused_wallet_document_is_explained_to_the_page_script(suite: Suite) -> None:
    """«Dùng giấy tờ trong kho» from the page's script: a document that is not the caller's
    is refused as problem+json in Vietnamese (it answered 500: an un-awaited call)."""
    person = new_citizen("kho-giay-to")
    citizen = register_and_activate(suite, person)
    browser = portal_session(suite, person.email, person.password)
    try:
        dossier_id = extract_draft(citizen, person)
        page = browser.get(f"/ho-so/{dossier_id}/khai")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf, page.text
        sent = browser.post(
            f"/ho-so/{dossier_id}/kho-giay-to",
            data={
                "csrf": csrf.group(1),
                "document_code": "TK",
                "wallet_document_id": "not-in-the-wallet",
            },
            headers={"accept": "application/json"},
        )
        assert sent.status_code == 422, sent.text
        assert sent.headers["content-type"].startswith("application/problem+json")
        assert "kho dữ liệu" in sent.json()["detail"]
        assert ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["attachments"] == []
    finally:
        browser.close()
        citizen.close()
