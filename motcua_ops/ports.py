"""Loopback port choice: env override, else the port used last time, else a free one."""

from __future__ import annotations

import os
import socket

HOST = "127.0.0.1"


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(taken: set[int] | None = None, host: str = HOST) -> int:
    """A port the kernel reports free, not in `taken` (ports chosen but not yet bound)."""
    taken = taken if taken is not None else set()
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            taken.add(port)
            return port
    raise RuntimeError("no free loopback port found")


def env_port(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        port = int(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not a port number") from exc
    if not 0 < port < 65536:
        raise ValueError(f"{name}={value!r} is not a port number")
    return port


def pick_port(
    env_name: str,
    previous: int | None,
    taken: set[int],
    default: int | None = None,
) -> int:
    """Env var wins; then the previous port (addresses stay stable across restarts);
    then `default` if it is free; then any free port."""
    port = env_port(env_name)
    if port is None and previous:
        port = int(previous)
    if port is None and default and default not in taken and port_is_free(default):
        port = default
    if port is None:
        return free_port(taken)
    taken.add(port)
    return port
