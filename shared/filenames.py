"""The name an uploaded file is stored under, whatever the client sent.

A file name comes from the client and is shown to officers and citizens later, so it
is made plain: NFC (as all text is stored), its last path part only (``../``, ``C:\\``),
whitespace of any kind (newlines) as one space, no control or format characters (NUL,
the right-to-left override ``U+202E`` that shows «hoso‮fdp.exe» as "hosoexe.pdf", the
other bidi controls), bounded, never empty.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 200
DEFAULT_NAME = "tep-dinh-kem"
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # control, format (bidi), unassigned


def upload_name(raw: str | None, default: str = DEFAULT_NAME) -> str:
    """``raw`` made plain (see the module); ``default`` when nothing is left of it."""
    text = unicodedata.normalize("NFC", raw or "")
    text = " ".join(text.split())  # newlines, tabs, U+2028: one space
    text = "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
    name = text.replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    return _bounded(name) or default


def _bounded(name: str) -> str:
    """At most ``MAX_NAME`` characters, the extension kept when it is short."""
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:MAX_NAME].rstrip(" .")
