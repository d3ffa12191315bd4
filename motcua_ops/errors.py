"""Errors the launcher reports to the user as one clear message."""

from __future__ import annotations

INSTALL_HINT = "see deploy/local/install.sh"


class OpsError(RuntimeError):
    """Something the user has to act on; the CLI prints it and exits non-zero."""


class MissingPrerequisite(OpsError):
    """A tool the launcher needs (java, mvn, go, PostgreSQL) is not installed."""

    def __init__(self, what: str, package: str) -> None:
        super().__init__(f"{what} not found: install {package}; {INSTALL_HINT}")


class EngineError(OpsError):
    """An engine or service failed to install, start or become ready."""
