"""An account document and its row in ``accounts``, both ways.

The use cases work on one account document, as they always have: ``_id``, ``login``
(``failures``, ``not_before``, ``locked_at_failures``), ``activation`` and ``reset``
(``token_hash``, ``expires_at``), ``profile``, ``documents``... A field at one of
:data:`COLUMNS`' paths lives in that column; everything else is the JSONB ``data``,
with datetimes tagged ``{"$date": iso}`` so that they come back as datetimes.
Changes are named by dotted paths (``profile.phone``), applied with :func:`apply`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any

Doc = dict[str, Any]
Path = tuple[str, ...]

COLUMNS: dict[str, Path] = {
    "id": ("_id",),
    "email_key": ("email_key",),
    "kind": ("kind",),
    "agency_code": ("agency_code",),
    "status": ("status",),
    "version": ("version",),
    "password_hash": ("password_hash",),
    "activation_token_hash": ("activation", "token_hash"),
    "activation_expires_at": ("activation", "expires_at"),
    "reset_token_hash": ("reset", "token_hash"),
    "reset_expires_at": ("reset", "expires_at"),
    "login_failures": ("login", "failures"),
    "login_not_before": ("login", "not_before"),
    "login_locked_at_failures": ("login", "locked_at_failures"),
    "last_login_at": ("last_login_at",),
    "created_at": ("created_at",),
}
# Bookkeeping, changed without a version or an event (login counters, rehash). Every
# other column, and ``data``, changes only with the version, so a version check covers it.
QUIET = frozenset(
    {
        "password_hash",
        "login_failures",
        "login_not_before",
        "login_locked_at_failures",
        "last_login_at",
    }
)
_TOP = frozenset(path[0] for path in COLUMNS.values())
DATE_TAG = "$date"


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {DATE_TAG: value.isoformat()}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and DATE_TAG in value:
            return datetime.fromisoformat(value[DATE_TAG])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _path(dotted: str) -> Path:
    return tuple(dotted.split("."))


def get(doc: Doc, path: Path) -> Any:
    value: Any = doc
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    return value


def _put(doc: Doc, path: Path, value: Any) -> None:
    *parents, leaf = path
    for name in parents:
        doc = doc.setdefault(name, {})
    doc[leaf] = value


def apply(
    doc: Doc,
    set_: dict[str, Any] | None = None,
    unset: Iterable[str] = (),
    push: dict[str, Any] | None = None,
) -> Doc:
    """A copy of ``doc`` with the dotted paths of ``set_`` set, of ``unset`` removed and
    the values of ``push`` appended to the lists at their paths."""
    out = copy.deepcopy(doc)
    for dotted, value in (set_ or {}).items():
        _put(out, _path(dotted), copy.deepcopy(value))
    for dotted in unset:
        *parents, leaf = _path(dotted)
        parent = get(out, tuple(parents)) if parents else out
        if isinstance(parent, dict):
            parent.pop(leaf, None)
    for dotted, value in (push or {}).items():
        items = list(get(out, _path(dotted)) or [])
        _put(out, _path(dotted), [*items, copy.deepcopy(value)])
    return out


def touched(dotted_paths: Iterable[str]) -> tuple[list[str], bool]:
    """The columns that changes at these paths write, and whether they write ``data``."""
    columns: list[str] = []
    data = False
    for dotted in dotted_paths:
        path = _path(dotted)
        if path[0] not in _TOP:
            data = True
            continue
        hit = [c for c, p in COLUMNS.items() if p[: len(path)] == path]  # a column or a group
        if not hit:
            raise ValueError(f"no column holds {dotted!r}")
        columns += [c for c in hit if c not in columns]
    return columns, data


def to_row(doc: Doc) -> Doc:
    row = {column: get(doc, path) for column, path in COLUMNS.items()}
    row["login_failures"] = row["login_failures"] or 0
    row["data"] = encode({k: v for k, v in doc.items() if k not in _TOP})
    return row


def to_doc(row: Doc) -> Doc:
    doc: Doc = decode(row["data"])
    for column, path in COLUMNS.items():
        if row.get(column) is not None:
            _put(doc, path, row[column])
    doc.setdefault("login", {}).setdefault("failures", 0)
    return doc
