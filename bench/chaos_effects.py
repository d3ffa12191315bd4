"""Every effect of a chaos run counted against what the event stores hold.

The truth is the dossier event store (the ``Filing`` events, not the code index's) and
the payment topic's events. From them follow:

- **kafka**: every stored dossier event's id on ``motcua.dossier.events`` (a relay killed
  between publishing and its tracking write publishes again: ``republished``, harmless);
- **inbox**: notify's entries, one per notice of each event (the owner's id is the
  event id, an officer's ``<event id>:<officer>``), from ``services.notify.domain.kinds``;
  deadline reminders (notify's timer; the extract's one-day limit makes them due at
  once) are not events: they are only checked for doubles, one per dossier, kind, person;
- **email**: one message per entry that has an email to send, found by its Message-ID
  in the SMTP sink's maildir; a second copy of a Message-ID is a resend (a notify killed
  between the server's 250 and the "sent" mark, at most one per email worker per kill);
  copies beyond that bound count as doubled;
- **orders**: exactly one payment order per dossier whose approval asked for a fee;
- **paid**: exactly one ``PaymentReceived`` per ``order_paid`` (the dossier worker);
- **read model**: one ``dossier_list`` row per dossier at the store's version, and with
  ``full`` the status the dossier API answers its owner.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import psycopg

from services.notify.adapters.mailer import message_id
from services.notify.domain.kinds import dossier_notices, payment_notices
from shared.events.envelope import IntegrationEvent
from shared.events.topics import events_topic
from tests.e2e.journey import WARD, Session
from tests.e2e.suite import Suite
from tests.support.kafka import records

EMAIL_WORKERS = 4  # notify's MOTCUA_NOTIFY_EMAIL_CONCURRENCY default: resends per kill
SENDING = ("pending", "sent", "failed")  # an email was due (not disabled / no address)
REMINDER = "vn.motcua.notify."  # deadline reminders: notify's own timer, not an event
CHECKS = ("kafka", "inbox", "email", "orders", "paid", "read model")


@dataclass
class Count:
    lost: int = 0
    doubled: int = 0
    extra: int = 0  # republished (kafka) or resent (email): counted, not a failure


@dataclass
class Effects:
    events: int
    dossiers: int
    checks: dict[str, Count] = field(default_factory=lambda: {c: Count() for c in CHECKS})

    @property
    def lost(self) -> int:
        return sum(c.lost for c in self.checks.values())

    @property
    def doubled(self) -> int:
        return sum(c.doubled for c in self.checks.values())


class Maildir:
    """The Message-IDs of the sink's files written since ``since`` (epoch seconds); each
    file's header is read once (a file is renamed into place complete)."""

    def __init__(self, path: Path, since: float) -> None:
        self.path, self.since = path, since
        self.seen: dict[str, str] = {}

    def message_ids(self) -> Counter[str]:
        parser = BytesHeaderParser(policy=policy.default)
        with os.scandir(self.path) as entries:
            for entry in entries:
                if entry.name in self.seen or not entry.name.endswith(".eml"):
                    continue
                try:
                    if entry.stat().st_mtime < self.since:
                        self.seen[entry.name] = ""
                        continue
                    with open(entry.path, "rb") as file:
                        self.seen[entry.name] = str(parser.parse(file).get("Message-ID", ""))
                except FileNotFoundError:
                    continue
        return Counter(v for v in self.seen.values() if v)


def _schema(suite: Suite, context: str) -> str:
    return f"{suite.run_id}_{context}"


def _query(conn: psycopg.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def _topic(suite: Suite, context: str) -> list[IntegrationEvent]:
    topic = events_topic(context, f"{suite.run_id}.")
    found = asyncio.run(records(suite.engines.kafka_bootstrap_servers, topic))
    return [IntegrationEvent.from_bytes(r.value) for r in found]


def _expected_entries(
    dossier_events: list[IntegrationEvent],
    payment_events: list[IntegrationEvent],
    officers: dict[str, list[str]],
) -> set[str]:
    agency = {e.subject: e.data.get("agency_code", WARD) for e in dossier_events}
    occasions = [(e, e.subject, dossier_notices(e.type, e.data, "")) for e in dossier_events]
    occasions += [
        (e, e.data.get("dossier_id", ""), payment_notices(e.type, e.data, ""))
        for e in payment_events
    ]
    expected: set[str] = set()
    for event, dossier, notices in occasions:
        for notice in notices:
            if notice.audience == "owner":
                expected.add(str(event.id))
            else:
                for officer in officers.get(agency.get(dossier, WARD), []):
                    expected.add(f"{event.id}:{officer}")
    return expected


def count_effects(
    suite: Suite, maildir: Maildir, notify_kills: int, owners: dict[str, Session], full: bool
) -> Effects:
    with psycopg.connect(suite.engines.postgres_dsn, autocommit=True) as conn:
        return _count(conn, suite, maildir, notify_kills, owners, full)


def _count(
    conn: psycopg.Connection,
    suite: Suite,
    maildir: Maildir,
    notify_kills: int,
    owners: dict[str, Session],
    full: bool,
) -> Effects:
    dossier, notify, payment = (_schema(suite, c) for c in ("dossier", "notify", "payment"))
    stored = _query(
        conn,
        f'SELECT originator_id::text, originator_version, topic FROM "{dossier}".dossier_events'
        " WHERE topic NOT LIKE %s",
        ("%:DossierCode.%",),
    )
    versions: dict[str, int] = {}
    for originator, version, _ in stored:
        versions[originator] = max(versions.get(originator, 0), version)
    effects = Effects(events=len(stored), dossiers=len(versions))
    checks = effects.checks

    published = _topic(suite, "dossier")
    unique = {str(e.id): e for e in published}
    store_ids = {str(IntegrationEvent.stable_id(o, v)) for o, v, _ in stored}
    checks["kafka"] = Count(lost=len(store_ids - unique.keys()), extra=len(published) - len(unique))
    payments = list({str(e.id): e for e in _topic(suite, "payment")}.values())

    officers: dict[str, list[str]] = {}
    for user, agency in _query(
        conn, f"SELECT id, agency_code FROM \"{notify}\".accounts WHERE kind = 'officer'"
    ):
        officers.setdefault(agency, []).append(user)
    expected = _expected_entries(list(unique.values()), payments, officers)
    entries = _query(
        conn,
        f"SELECT id, source_id, user_id, email_status, event_type LIKE %s, subject, kind"
        f' FROM "{notify}".notifications',
        (f"{REMINDER}%",),
    )
    ids = {row[0] for row in entries if not row[4]}
    per_person = Counter(
        (subject, kind, user) if reminder else (source, user)
        for _, source, user, _, reminder, subject, kind in entries
    )
    checks["inbox"] = Count(
        lost=len(expected - ids),
        doubled=len(ids - expected) + sum(n - 1 for n in per_person.values()),
    )

    due = [message_id(row[0]) for row in entries if row[3] in SENDING]
    copies = maildir.message_ids()
    resent = sum(copies[m] - 1 for m in due if copies[m] > 1)
    checks["email"] = Count(
        lost=sum(1 for m in due if copies[m] == 0),
        doubled=max(0, resent - EMAIL_WORKERS * notify_kills),
        extra=resent,
    )

    asked = {o for o, _, topic in stored if topic.endswith(":Dossier.PaymentRequested")}
    orders = Counter(row[0] for row in _query(conn, f'SELECT dossier_id FROM "{payment}".orders'))
    checks["orders"] = Count(
        lost=sum(1 for d in asked if orders[d] == 0),
        doubled=sum(n - 1 for n in orders.values()) + len(orders.keys() - asked),
    )

    paid = {e.data.get("dossier_id") for e in payments if e.type.endswith(".order_paid")}
    received = Counter(o for o, _, topic in stored if topic.endswith(":Dossier.PaymentReceived"))
    checks["paid"] = Count(
        lost=sum(1 for d in paid if received[d] == 0),
        doubled=sum(n - 1 for n in received.values()) + len(received.keys() - paid),
    )

    rows = {
        r[0]: (r[1], r[2])
        for r in _query(conn, f'SELECT id, version, status FROM "{dossier}".dossier_list')
    }
    behind = sum(1 for d, v in versions.items() if rows.get(d, (0, ""))[0] < v)
    wrong = _wrong_statuses(rows, owners) if full and not behind else 0
    checks["read model"] = Count(lost=behind + wrong, doubled=len(rows.keys() - versions.keys()))
    return effects


def _wrong_statuses(rows: dict[str, tuple[int, str]], owners: dict[str, Session]) -> int:
    """Rows whose status is not what the dossier API (the aggregate) tells the owner."""

    def wrong(item: tuple[str, Session]) -> bool:
        dossier_id, owner = item
        answer = owner.get(f"/api/v1/dossiers/{dossier_id}")
        return answer.status_code != 200 or answer.json()["status"] != rows[dossier_id][1]

    known = [(d, s) for d, s in owners.items() if d in rows]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return sum(pool.map(wrong, known))
