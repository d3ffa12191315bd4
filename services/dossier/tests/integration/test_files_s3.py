"""Files on the real S3 engine and PostgreSQL: a refused approval stores no result file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from services.dossier.tests.integration.support import DossierApi, caller, dossier_api
from services.dossier.tests.unit.builders import APPROVER, OWNER, PROCESSOR, RECEIVER
from shared.events.envelope import Actor
from tests.support.engines import Engines

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(text: str) -> bytes:
    return PDF + f"% {text}\n".encode()


def _key(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest}"


def _act(api: DossierApi, base: str, who: Actor, action: str, body: dict[str, str]) -> None:
    officer_base = base.replace("/api/v1/dossiers/", "/api/v1/officer/dossiers/")
    answer = api.client.post(f"{officer_base}/{action}", headers=caller(who), json=body)
    assert answer.status_code == 200, answer.text


def _approve(api: DossierApi, base: str, data: bytes) -> httpx.Response:
    officer_base = base.replace("/api/v1/dossiers/", "/api/v1/officer/dossiers/")
    return api.client.post(
        f"{officer_base}/approve",
        headers=caller(APPROVER),
        data={"result_number": "KS-9"},
        files={"file": ("Giấy khai sinh.pdf", data, "application/pdf")},
    )


def test_a_refused_approval_leaves_no_result_file_in_the_bucket(
    engines: Engines, tmp_path: Path
) -> None:
    with dossier_api(engines, tmp_path) as api:
        base = api.new_dossier(OWNER)
        api.upload(OWNER, base, _pdf("giay chung sinh"), "giay_chung_sinh")
        assert api.client.post(f"{base}/submit", headers=caller(OWNER)).status_code == 200
        _act(api, base, RECEIVER, "accept", {})
        _act(api, base, PROCESSOR, "start-processing", {})
        stored = api.object_keys()

        result = _pdf("ket qua")
        refused = _approve(api, base, result)  # no proposal yet
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["detail"] == "Hồ sơ chưa có đề xuất của cán bộ xử lý."
        assert api.object_keys() == stored  # refused before the file was written

        _act(api, base, PROCESSOR, "propose", {"decision": "approve", "note": "Đủ điều kiện"})
        approved = _approve(api, base, result)
        assert approved.status_code == 200, approved.text
        assert api.object_keys() == sorted([*stored, _key(result)])
