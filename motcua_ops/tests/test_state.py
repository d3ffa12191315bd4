from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua_ops import paths, state


def test_state_dir_defaults_to_dot_motcua_in_cwd(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MOTCUA_STATE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.state_dir() == tmp_path.resolve() / ".motcua"
    assert state.engine_state_path() == tmp_path.resolve() / ".motcua" / "engines.json"


def test_state_dir_from_env_is_made_absolute(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOTCUA_STATE_DIR", "relative/state")
    assert paths.state_dir() == tmp_path.resolve() / "relative" / "state"
    assert paths.state_dir().is_absolute()


def test_cache_dir_follows_xdg(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert paths.cache_dir() == tmp_path.resolve() / "motcua"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.cache_dir() == Path.home().resolve() / ".cache" / "motcua"


def test_write_json_is_atomic_and_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "engines.json"
    data = {"smtp": {"host": "127.0.0.1", "port": 2525, "maildir": "/x/đ", "pid": None}}
    state.write_json(target, data)
    assert state.read_json(target) == data
    assert json.loads(target.read_text(encoding="utf-8")) == data
    assert [p.name for p in target.parent.iterdir()] == ["engines.json"]  # no temp file left


def test_read_json_missing_is_empty(tmp_path: Path) -> None:
    assert state.read_json(tmp_path / "nope.json") == {}


def test_read_json_rejects_non_object(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ValueError):
        state.read_json(tmp_path / "bad.json")


def test_load_engines_explains_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="motcua engines up"):
        state.load_engines(tmp_path)


def test_load_engines_reads_state_dir_from_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOTCUA_STATE_DIR", str(tmp_path))
    entry = {"bootstrap_servers": "127.0.0.1:1", "port": 1, "controller_port": 2, "pid": 3}
    state.write_json(tmp_path / "engines.json", {"kafka": entry})
    assert state.load_engines() == {"kafka": entry}


def test_recorded_ports_cover_engines_and_services(tmp_path: Path) -> None:
    state.write_json(
        state.engine_state_path(tmp_path),
        {"kafka": {"port": 1001, "controller_port": 1002, "pid": None}},
    )
    state.write_json(
        state.service_state_path(tmp_path),
        {"gateway": {"url": "http://127.0.0.1:1003", "port": 1003, "pid": None}},
    )
    assert state.recorded_ports(tmp_path) == {1001, 1002, 1003}


def test_state_lock_is_reentrant_across_sequential_uses(tmp_path: Path) -> None:
    for _ in range(2):
        with state.state_lock(tmp_path):
            assert (tmp_path / ".lock").exists()
