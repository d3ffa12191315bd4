"""Which stored files the dossiers' histories still need: the rule the blob sweep keeps.

A dossier that was submitted is a filed record: every file it held from its submission
on (uploads, supplements, the result file) stays, removed or not, for the retention of
the record. A file removed while the dossier was still a draft was never filed: once
no dossier refers to it any more, it may go. A file a dossier holds now always stays.
Files are content-addressed, so one kept reference keeps the file for every dossier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.dossier.domain.result import result_document

# The events that name or drop files, or file the dossier (the others change none).
EVENTS = ("AttachmentAdded", "AttachmentRemoved", "Submitted", "Approved")


@dataclass
class _DossierFiles:
    filed: bool = False
    held: dict[str, str] = field(default_factory=dict)  # attachment id -> sha256
    kept: set[str] = field(default_factory=set)


class FileReferences:
    """Folds the dossiers' events, each dossier's in order, into the files to keep."""

    def __init__(self) -> None:
        self._dossiers: dict[Any, _DossierFiles] = {}

    def record(self, event: Any) -> None:
        files = self._dossiers.setdefault(event.originator_id, _DossierFiles())
        kind = type(event).__name__
        if kind == "AttachmentAdded":
            sha256 = event.attachment.get("sha256")
            if sha256:
                files.held[event.attachment["id"]] = sha256
                if files.filed:
                    files.kept.add(sha256)
        elif kind == "AttachmentRemoved":
            files.held.pop(event.attachment_id, None)
        elif kind == "Submitted":
            files.filed = True
            files.kept.update(files.held.values())
        elif kind == "Approved":
            document = result_document(event.result)
            if document is not None:
                files.kept.add(document["sha256"])

    def kept(self) -> set[str]:
        found: set[str] = set()
        for files in self._dossiers.values():
            found |= files.kept
            found.update(files.held.values())
        return found
