"""The sweep of the dossier service's file store: attachments and result files that no
dossier needs any more (the rule: :mod:`services.dossier.domain.files`) are deleted once
older than the grace period (:mod:`shared.blob_sweep`)."""

from __future__ import annotations

from datetime import timedelta

from eventsourcing.utils import get_topic

from services.dossier.application.dossiers import DossierApplication
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.files import EVENTS, FileReferences
from services.dossier.domain.filing import Filing
from shared.blob_sweep import GRACE, SweepReport, sweep
from shared.blobstore import BlobStore
from shared.vn.time import utc_now

# an event is stored under the topic of the class that declares its command (the
# citizen's on Filing, the agency's on Dossier): both are asked for
TOPICS = tuple(
    sorted(
        {
            get_topic(getattr(cls, name))
            for cls in (Filing, Dossier)
            for name in EVENTS
            if hasattr(cls, name)
        }
    )
)


def referenced_files(app: DossierApplication, batch: int = 1000) -> set[str]:
    """The sha256 of every file a dossier still needs, from the whole notification log
    (only the events that name, drop or file files are read)."""
    references = FileReferences()
    start: int | None = None
    while True:
        notifications = app.recorder.select_notifications(
            start, batch, topics=TOPICS, inclusive_of_start=start is None
        )
        for notification in notifications:
            references.record(app.mapper.to_domain_event(notification))
        if len(notifications) < batch:
            return references.kept()
        start = notifications[-1].id


def sweep_files(app: DossierApplication, blobs: BlobStore, grace: timedelta = GRACE) -> SweepReport:
    return sweep(blobs, lambda: referenced_files(app), now=utc_now(), grace=grace)
