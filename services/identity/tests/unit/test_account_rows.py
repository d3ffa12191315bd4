"""An account document survives its trip through a row (datetimes included), and each
dotted path of a change names the columns it writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.identity.adapters.account_rows import apply, to_doc, to_row, touched

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_a_document_comes_back_from_its_row_as_it_went_in() -> None:
    account = {
        "_id": "a-1",
        "kind": "officer",
        "email": "Lan@example.vn",
        "email_key": "lan@example.vn",
        "agency_code": "NB.HOALU",
        "status": "active",
        "version": 3,
        "password_hash": "$argon2id$x",
        "created_at": NOW,
        "profile": {"full_name": "Trần Thị Lan", "organisation": {"name": "Công ty"}},
        "officer_roles": ["receiver"],
        "link_sends": [NOW],
        "documents": [{"id": "d-1", "added_at": NOW, "issued_on": "2021-06-01"}],
        "reset": {"token_hash": "h", "expires_at": NOW},
        "login": {"failures": 2, "not_before": NOW},
    }
    row = to_row(account)
    assert (row["id"], row["reset_token_hash"], row["login_failures"]) == ("a-1", "h", 2)
    assert row["activation_token_hash"] is None and "reset" not in row["data"]
    assert row["data"]["link_sends"] == [{"$date": NOW.isoformat()}]
    assert to_doc(row) == account


def test_changes_name_their_columns_or_the_document() -> None:
    assert touched(["profile.phone", "documents"]) == ([], True)
    assert touched(["reset"]) == (["reset_token_hash", "reset_expires_at"], False)
    assert touched(["login.not_before", "status"]) == (["login_not_before", "status"], False)
    with pytest.raises(ValueError):
        touched(["status.code"])
    changed = apply(
        {"profile": {"full_name": "Lan"}, "reset": {"token_hash": "h"}, "documents": []},
        {"profile.phone": "0912345678"},
        ["reset"],
        {"documents": {"id": "d-1"}},
    )
    assert changed == {
        "profile": {"full_name": "Lan", "phone": "0912345678"},
        "documents": [{"id": "d-1"}],
    }
