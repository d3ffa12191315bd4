"""The S3 engine's keys and entry, and how the launcher hands them to the services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua_ops.engines import ENGINE_NAMES
from motcua_ops.engines.s3 import VERSION, S3Gateway
from motcua_ops.paths import Paths
from motcua_ops.services import blob_store_env
from motcua_ops.state import engine_state_path, write_json


def test_keys_are_made_once_per_state_dir_and_kept_private(tmp_path: Path) -> None:
    gateway = S3Gateway(Paths(state=tmp_path / "state", cache=tmp_path / "cache"))
    entry = gateway.entry({"port": 7070})
    assert entry["url"] == "http://127.0.0.1:7070" and entry["pid"] is None
    assert len(entry["secret_key"]) >= 32
    assert gateway.entry({"port": 7071})["secret_key"] == entry["secret_key"]
    keys = tmp_path / "state" / "s3" / "credentials.json"
    assert keys.stat().st_mode & 0o777 == 0o600
    other = S3Gateway(Paths(state=tmp_path / "other", cache=tmp_path / "cache"))
    assert other.entry({"port": 7070})["secret_key"] != entry["secret_key"]
    assert gateway.binary == tmp_path / "cache" / "versitygw" / VERSION / "versitygw"
    assert "s3" in ENGINE_NAMES


def test_services_with_files_get_the_engine_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for var in ("MOTCUA_DOSSIER_BLOB_S3_URL", "MOTCUA_IDENTITY_BLOB_S3_URL"):
        monkeypatch.delenv(var, raising=False)
    assert blob_store_env(tmp_path) == {}  # no engines yet: local disk
    s3 = {
        "url": "http://127.0.0.1:7070",
        "port": 7070,
        "region": "us-east-1",
        "access_key": "motcua",
        "secret_key": "bi-mat",
        "pid": 1,
    }
    write_json(engine_state_path(tmp_path), {"s3": s3})
    env = blob_store_env(tmp_path)
    assert env["MOTCUA_DOSSIER_BLOB_S3_URL"] == env["MOTCUA_IDENTITY_BLOB_S3_URL"] == s3["url"]
    assert env["MOTCUA_IDENTITY_BLOB_S3_SECRET_KEY"] == "bi-mat"
    assert env["MOTCUA_DOSSIER_BLOB_S3_ACCESS_KEY"] == "motcua"
    monkeypatch.setenv("MOTCUA_DOSSIER_BLOB_S3_URL", "")  # the operator keeps local disk
    env = blob_store_env(tmp_path)
    assert "MOTCUA_DOSSIER_BLOB_S3_URL" not in env and "MOTCUA_IDENTITY_BLOB_S3_URL" in env
    assert json.loads(engine_state_path(tmp_path).read_text())["s3"] == s3
