from __future__ import annotations

import socket

import pytest

from motcua_ops import ports


def test_free_port_avoids_taken_and_records_it() -> None:
    taken: set[int] = set()
    chosen = {ports.free_port(taken) for _ in range(20)}
    assert len(chosen) == 20
    assert chosen == taken
    assert all(ports.port_is_free(port) for port in chosen)


def test_port_is_free_sees_a_listener() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not ports.port_is_free(sock.getsockname()[1])


def test_env_wins_over_previous(monkeypatch) -> None:
    monkeypatch.setenv("MOTCUA_TEST_PORT", "12345")
    taken: set[int] = set()
    assert ports.pick_port("MOTCUA_TEST_PORT", 23456, taken) == 12345
    assert 12345 in taken


def test_previous_port_is_reused(monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_TEST_PORT", raising=False)
    assert ports.pick_port("MOTCUA_TEST_PORT", 23456, set()) == 23456


def test_default_used_when_free(monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_TEST_PORT", raising=False)
    port = ports.free_port()
    assert ports.pick_port("MOTCUA_TEST_PORT", None, set(), default=port) == port


def test_default_skipped_when_busy(monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_TEST_PORT", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        chosen = ports.pick_port("MOTCUA_TEST_PORT", None, set(), default=busy)
    assert chosen != busy


def test_fresh_port_when_nothing_known(monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_TEST_PORT", raising=False)
    taken = {1}
    port = ports.pick_port("MOTCUA_TEST_PORT", None, taken)
    assert port in taken and port != 1


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_env_port_is_rejected(monkeypatch, value: str) -> None:
    monkeypatch.setenv("MOTCUA_TEST_PORT", value)
    with pytest.raises(ValueError, match="MOTCUA_TEST_PORT"):
        ports.pick_port("MOTCUA_TEST_PORT", None, set())
