"""Progress output: a spinner on a terminal, plain lines otherwise (CI logs, pipes)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    console.print(message, markup=False)


def warn(message: str) -> None:
    console.print(f"[yellow]{escape(message)}[/yellow]")


def error(message: str) -> None:
    err_console.print(f"[red]{escape(message)}[/red]")


@contextmanager
def step(message: str) -> Iterator[None]:
    """Show `message` while the block runs, then how long it took."""
    started = time.monotonic()
    if console.is_terminal:
        with console.status(message):
            yield
    else:
        info(f"{message} ...")
        yield
    info(f"{message}: done ({time.monotonic() - started:.1f}s)")
