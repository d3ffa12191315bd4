"""The email sender sends each claimed email once with its entry id as the key, spaces the
retries of a refused one by the mailer's backoff, and keeps it ``failed`` after the last."""

from __future__ import annotations

from typing import Any

from services.notify.application.email_sender import EmailSender
from services.notify.tests.unit.fakes import FakeMailer, FakeQueue, FakeTemplates, NoWakeups


def _row(entry_id: str, to: str) -> dict[str, Any]:
    message = {"template": "dossier_accepted", "subject": "[Một Cửa] C1", "values": {"code": "C1"}}
    return {"id": entry_id, "email_to": to, "email_message": message}


async def test_a_refused_email_is_retried_with_backoff_then_kept_failed() -> None:
    queue = FakeQueue([_row("e1", "ok@example.vn"), _row("e2", "bad@example.vn")])
    mailer = FakeMailer(refused={"bad@example.vn"}, attempts=3)
    sender = EmailSender(queue, mailer, FakeTemplates(), NoWakeups)
    connection = mailer.connection()

    assert await sender.drain_once(connection) == 2
    assert queue.delivered == ["e1"]
    assert [(to, key) for to, _, key in mailer.outbox] == [("ok@example.vn", "e1")]
    assert mailer.outbox[0][1].subject == "[Một Cửa] C1"
    while queue.pending:
        await sender.drain_once(connection)
    assert [(entry, retry_in) for entry, _, retry_in in queue.failures] == [
        ("e2", 0.5),
        ("e2", 1.0),
        ("e2", None),  # the third attempt was the last: failed, with the server's answer
    ]
    assert queue.failures[-1][1] == "SMTP: 550 bad@example.vn refused"
    assert queue.delivered == ["e1"]
