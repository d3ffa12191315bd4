"""The public lookup (seed 002 «Tra cứu hồ sơ đã nộp»): a code and the last 4 characters
of the applicant's identity number, no login.

A known code with a wrong second factor and an unknown code do the same work, so
neither the answer nor its time tells them apart: the try is counted (and a locked
code refused) first, then the code's index and a dossier are read (for an unknown code
an id no dossier has), and the answer is compared in constant time against the
dossier's number or a dummy.
"""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Callable
from datetime import datetime

from eventsourcing.application import AggregateNotFoundError

from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.application.ports import LookupAttempts
from services.dossier.application.views import PublicView, public_view
from services.dossier.domain.code import is_valid
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.lookup import LookupPolicy
from shared.vn.time import utc_now

ID_FIELDS = ("so_dinh_danh", "so_cccd", "cccd", "so_giay_to")
NO_DOSSIER = uuid.UUID(int=0)  # read for an unknown code: never a dossier's id
DUMMY_LAST4 = "\x00" * 4  # compared for an unknown code: never equals 4 letters or digits


class PublicLookup:
    def __init__(
        self,
        dossiers: DossierApplication,
        attempts: LookupAttempts,
        policy: LookupPolicy,
        clock: Callable[[], datetime] = utc_now,
        refusal_seconds: float = 0.0,
    ) -> None:
        self.dossiers = dossiers
        self.attempts = attempts
        self.policy = policy
        self.clock = clock
        self.refusal_seconds = refusal_seconds  # the HTTP answer's floor for a refusal

    def find(self, code: str, id_last4: str) -> PublicView:
        """The dossier's public view; :class:`DossierNotFoundError` for a wrong code or
        second factor alike, ``LookupLockedError`` (429) for a code tried too often."""
        code = code.strip().upper()
        if not is_valid(code):
            raise DossierNotFoundError  # the format is public: nothing to count
        now = self.clock()
        self.attempts.count(code, now, self.policy).check_open(now)
        dossier = self._dossier(code)
        expected = _last4(dossier) if dossier is not None else DUMMY_LAST4
        matches = hmac.compare_digest(expected.encode(), id_last4.upper().encode())
        if dossier is None or not matches:
            raise DossierNotFoundError
        self.attempts.clear(code)
        return public_view(dossier)

    def _dossier(self, code: str) -> Dossier | None:
        try:
            dossier_id = self.dossiers.find_by_code(code)
        except DossierNotFoundError:
            dossier_id = NO_DOSSIER
        try:
            dossier: Dossier = self.dossiers.repository.get(dossier_id)
        except AggregateNotFoundError:
            return None
        return dossier


def _last4(dossier: Dossier) -> str:
    number = next((str(dossier.form[f]) for f in ID_FIELDS if dossier.form.get(f)), "")
    last4 = re.sub(r"\s", "", number)[-4:].upper()
    return last4 if len(last4) == 4 else DUMMY_LAST4
