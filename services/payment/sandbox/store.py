"""The sandbox's own ledger of transactions (SQLite: it is the provider's side, not ours)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS txns (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  token TEXT UNIQUE NOT NULL,
  tmn_code TEXT NOT NULL,
  txn_ref TEXT NOT NULL,
  amount INTEGER NOT NULL,
  order_info TEXT NOT NULL,
  return_url TEXT NOT NULL,
  create_date TEXT NOT NULL,
  expire_date TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  pay_date TEXT,
  bank_code TEXT,
  ipn_answer TEXT,
  refunded INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (tmn_code, txn_ref)
);
CREATE TABLE IF NOT EXISTS refunds (
  request_id TEXT PRIMARY KEY,
  txn_ref TEXT NOT NULL,
  amount INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
"""
TXN_OFFSET = 14_000_000  # vnp_TransactionNo = TXN_OFFSET + seq


@dataclass(frozen=True)
class Txn:
    seq: int
    token: str
    tmn_code: str
    txn_ref: str
    amount: int
    order_info: str
    return_url: str
    create_date: str
    expire_date: str
    status: str
    pay_date: str | None
    bank_code: str | None
    ipn_answer: str | None
    refunded: int
    created_at: str

    @property
    def transaction_no(self) -> str:
        return str(TXN_OFFSET + self.seq)


class SandboxStore:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(SCHEMA)

    def _one(self, sql: str, *args: Any) -> Txn | None:
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return Txn(**dict(row)) if row else None

    def open(
        self,
        *,
        tmn_code: str,
        txn_ref: str,
        amount: int,
        order_info: str,
        return_url: str,
        create_date: str,
        expire_date: str,
    ) -> Txn:
        """The transaction for (terminal, reference); a reload of the page finds it again."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO txns (token, tmn_code, txn_ref, amount, order_info,"
                " return_url, create_date, expire_date, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    uuid.uuid4().hex,
                    tmn_code,
                    txn_ref,
                    amount,
                    order_info,
                    return_url,
                    create_date,
                    expire_date,
                    datetime.now(UTC).isoformat(),
                ),
            )
        found = self.by_ref(tmn_code, txn_ref)
        assert found is not None
        return found

    def by_token(self, token: str) -> Txn | None:
        return self._one("SELECT * FROM txns WHERE token = ?", token)

    def by_ref(self, tmn_code: str, txn_ref: str) -> Txn | None:
        return self._one("SELECT * FROM txns WHERE tmn_code = ? AND txn_ref = ?", tmn_code, txn_ref)

    def finish(self, token: str, status: str, pay_date: str, bank_code: str) -> bool:
        """Record the payer's choice once; False if the transaction was already finished."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE txns SET status = ?, pay_date = ?, bank_code = ?"
                " WHERE token = ? AND status = 'pending'",
                (status, pay_date, bank_code, token),
            )
        return cursor.rowcount == 1

    def record_ipn_answer(self, token: str, answer: str) -> None:
        with self._lock:
            self._db.execute("UPDATE txns SET ipn_answer = ? WHERE token = ?", (answer, token))

    def undelivered(self) -> list[Txn]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM txns WHERE status != 'pending' AND ipn_answer IS NULL"
            ).fetchall()
        return [Txn(**dict(r)) for r in rows]

    def on_day(self, tmn_code: str, day_prefix: str) -> list[Txn]:
        """Transactions created on a GMT+7 day (``yyyyMMdd``)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM txns WHERE tmn_code = ? AND create_date LIKE ? ORDER BY seq",
                (tmn_code, f"{day_prefix}%"),
            ).fetchall()
        return [Txn(**dict(r)) for r in rows]

    def has_refund(self, request_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM refunds WHERE request_id = ?", (request_id,)
            ).fetchone()
        return row is not None

    def refund(self, request_id: str, txn: Txn, amount: int) -> bool:
        """Refund once per request id; False if this request was already applied."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT INTO refunds VALUES (?,?,?,?)",
                    (request_id, txn.txn_ref, amount, datetime.now(UTC).isoformat()),
                )
                updated = self._db.execute(
                    "UPDATE txns SET refunded = refunded + ? WHERE token = ?"
                    " AND refunded + ? <= amount",
                    (amount, txn.token, amount),
                )
                if updated.rowcount != 1:  # a concurrent refund took what was left
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                return False
        return True
