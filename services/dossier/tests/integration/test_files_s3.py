"""Files on the real S3 engine and PostgreSQL: a refused approval stores no result file,
and the sweep deletes a file removed from a draft while a filed dossier's files stay."""

from __future__ import annotations

import hashlib
import json
import time
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


def test_the_sweep_deletes_a_drafts_removed_file_and_keeps_a_filed_dossiers(
    engines: Engines, tmp_path: Path
) -> None:
    with dossier_api(engines, tmp_path) as api:
        draft = api.new_dossier(OWNER)
        dropped = _pdf("nop nham")
        attachment = api.upload(OWNER, draft, dropped, "uy_quyen")
        kept_in_draft = _pdf("giu lai trong nhap")
        api.upload(OWNER, draft, kept_in_draft, "giay_chung_sinh")
        removed = api.client.delete(
            f"{draft}/attachments/{attachment['id']}", headers=caller(OWNER)
        )
        assert removed.status_code == 200, removed.text

        filed = api.new_dossier(OWNER)
        filed_file = _pdf("da nop")
        api.upload(OWNER, filed, filed_file, "giay_chung_sinh")
        assert api.client.post(f"{filed}/submit", headers=caller(OWNER)).status_code == 200
        later = api.upload(OWNER, filed, _pdf("go sau khi nop"), "uy_quyen")
        gone_later = api.client.delete(f"{filed}/attachments/{later['id']}", headers=caller(OWNER))
        assert gone_later.status_code == 200, gone_later.text
        before = api.object_keys()
        assert len(before) == 4

        young = json.loads(api.sweep())  # a day's grace: nothing is old enough yet
        assert young == {"service": "dossier", "listed": 4, "referenced": 0, "deleted": 0}
        assert api.object_keys() == before

        time.sleep(1.2)  # S3 times are in whole seconds
        report = json.loads(api.sweep("--grace-hours", "0"))
        assert report == {"service": "dossier", "listed": 4, "referenced": 3, "deleted": 1}
        assert _key(dropped) not in api.object_keys()
        assert api.object_keys() == sorted(k for k in before if k != _key(dropped))
        files = api.client.get(filed, headers=caller(OWNER)).json()["attachments"]
        download = api.client.get(f"{filed}/attachments/{files[0]['id']}", headers=caller(OWNER))
        assert download.status_code == 200 and download.content == filed_file


def test_the_worker_sweeps_by_itself(engines: Engines, tmp_path: Path) -> None:
    with dossier_api(engines, tmp_path) as api:
        draft = api.new_dossier(OWNER)
        dropped, kept = _pdf("nop nham"), _pdf("con giu")
        attachment = api.upload(OWNER, draft, dropped, "uy_quyen")
        api.upload(OWNER, draft, kept, "giay_chung_sinh")
        removal = f"{draft}/attachments/{attachment['id']}"
        assert api.client.delete(removal, headers=caller(OWNER)).status_code == 200
        time.sleep(1.2)  # S3 times are in whole seconds
        sweeping = {
            "MOTCUA_DOSSIER_BLOB_SWEEP_INTERVAL_HOURS": "24",
            "MOTCUA_DOSSIER_BLOB_SWEEP_GRACE_HOURS": "0",
        }
        with api.worker(tmp_path, **sweeping):
            deadline = time.monotonic() + 60
            while _key(dropped) in api.object_keys() and time.monotonic() < deadline:
                time.sleep(0.5)
        assert api.object_keys() == [_key(kept)]
