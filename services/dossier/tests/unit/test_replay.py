"""Loading a dossier trusts its stored events; the audit's chain check trusts none of them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.chain import GENESIS, event_hash
from services.dossier.domain.commands import Accept, Approve, Propose, StartProcessing
from services.dossier.tests.unit.builders import AGENCY, ALL_DUTIES, BIRTH, OWNER, T0, uploaded
from shared.eventstore import eventstore_env


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def app(store: Path) -> DossierApplication:
    procedures = InMemoryProcedures()
    procedures.add(BIRTH)
    return DossierApplication(
        env=eventstore_env("sqlite", sqlite_path=store), procedures=procedures
    )


def lived(app: DossierApplication) -> Any:
    """A dossier taken from draft to the officer's approval: 12 events."""
    dossier_id = app.start_draft(
        OWNER, procedure_code="1.001193", agency_code=AGENCY, form={"ho_ten": "Phạm Thị Dung"}
    )
    for n in range(3):
        app.save_form(dossier_id, OWNER, {"ho_ten": f"Phạm Thị Dung {n}"})
    app.add_attachment(dossier_id, OWNER, uploaded("a1", "giay_chung_sinh"))
    app.add_attachment(dossier_id, OWNER, uploaded("a2", "cccd"))
    app.submit(dossier_id, OWNER)
    for command in (
        Accept(),
        StartProcessing(),
        Propose("approve", "Đạt"),
        Approve({"number": "KS-1"}),
    ):
        app.act_as_officer(dossier_id, ALL_DUTIES, command)
    return dossier_id


def state(dossier: Any) -> dict[str, Any]:
    """What the dossier holds, its chain head included, without replay bookkeeping."""
    held = {k: v for k, v in vars(dossier).items() if not k.startswith("_head")}
    return {**held, "chain_head": dossier.chain_head}


def test_a_loaded_dossier_continues_the_chain_from_its_last_stored_event(
    app: DossierApplication,
) -> None:
    dossier_id = lived(app)
    events = app.stored_events(dossier_id)
    assert len(events) == 12 and events[0].prev_hash == GENESIS
    assert app.repository.get(dossier_id).chain_head == event_hash(events[-1])
    assert app.record_payment(dossier_id, "order-1", 8000, T0)
    assert app.stored_events(dossier_id)[-1].prev_hash == event_hash(events[-1])
    assert app.verify_chain(dossier_id).valid


def test_the_state_as_of_each_moment_is_the_replay_up_to_that_moment(
    app: DossierApplication,
) -> None:
    dossier_id = lived(app)
    events = app.stored_events(dossier_id)
    assert app.state_as_of(dossier_id, events[0].timestamp.replace(year=2000)) is None
    for moment in (e.timestamp for e in events):
        version = max(e.originator_version for e in events if e.timestamp <= moment)
        as_of = app.state_as_of(dossier_id, moment)
        assert as_of is not None and as_of.version == version
        assert state(as_of) == state(app.repository.get(dossier_id, version=version))


def test_the_chain_check_recomputes_every_stored_hash_while_loading_trusts_them(
    app: DossierApplication, store: Path
) -> None:
    dossier_id = lived(app)
    with sqlite3.connect(store) as db:  # someone edits the third event in the store
        (raw,) = db.execute(
            "SELECT state FROM stored_events WHERE originator_version = 3"
        ).fetchone()
        altered = json.loads(raw)
        altered["form"]["ho_ten"] = "Người Khác"
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_version = 3",
            (json.dumps(altered).encode(),),
        )
    report = app.verify_chain(dossier_id)
    assert not report.valid and report.broken_at == 4 and report.events == 4
    assert app.repository.get(dossier_id).version == 12  # replay does not check
