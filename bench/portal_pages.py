"""The portal's signed-in pages, first byte, beside anonymous pages in the same run.

    .venv/bin/python -m bench.portal_pages [--requests 200] [--clients 4] [--seconds 60]

Starts the whole suite (as the end-to-end tests do), registers and activates one citizen,
files ``--drafts`` drafts of «Cấp bản sao trích lục hộ tịch» at Phường Hoa Lư and submits
``--submitted`` of them (a declaration uploaded, the identity card cited from the wallet),
so the citizen's list, the bell and the ward receiver's queue hold something. Then, from
``--clients`` threads, each with its own cookie session opened through «Đăng nhập» (as a
browser without JavaScript), it sends ``--requests`` GETs per page, or as many as fit in
``--seconds``, and times each one to its first byte (the status line and headers: the
page is rendered whole before it is sent). The anonymous pages (home, one procedure) are
the same-run baseline. Each page's upstream calls are read from its
``Server-Timing: upstream;desc="n calls"`` header. Figures: p50 / p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.suite_load import expect, p, running_suite
from tests.e2e.journey import (
    EXTRACT,
    Person,
    Session,
    add_wallet_document,
    cite_wallet_document,
    extract_draft,
    new_citizen,
    pdf,
    register_and_activate,
    upload,
)
from tests.e2e.portal import portal_session
from tests.e2e.suite import Suite

RECEIVER = "receiver.hoalu@motcua.local"  # README.md "Demo accounts"
UPSTREAM = re.compile(r'upstream;desc="(\d+) calls"')


def seed(citizen: Session, person: Person, drafts: int, submitted: int) -> tuple[str, str]:
    """Files the drafts, submits some; (a submitted dossier's id, a draft's id)."""
    ids = [extract_draft(citizen, person) for _ in range(drafts)]
    wallet_id = add_wallet_document(citizen, person.national_id)
    for dossier_id in ids[:submitted]:
        upload(citizen, dossier_id, "TK", "to-khai.pdf", pdf(f"tk-{dossier_id}"))
        cite_wallet_document(citizen, dossier_id, "GTTT", wallet_id)
        expect(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))
    return ids[0], ids[-1]


def upstream_calls(response: httpx.Response) -> int:
    found = UPSTREAM.search(", ".join(response.headers.get_list("server-timing")))
    return int(found.group(1)) if found else 0


def first_bytes(
    session: Callable[[], httpx.Client], path: str, count: int, clients: int, seconds: float
) -> list[float]:
    """Seconds to the first byte of up to ``count`` GETs of ``path`` from ``clients``
    threads, each on its own session, stopping early at ``seconds``."""
    deadline = time.monotonic() + seconds
    left = iter(range(count))
    lock = threading.Lock()
    samples: list[float] = []

    def worker() -> None:
        browser = session()
        try:
            while time.monotonic() < deadline:
                with lock:
                    if next(left, None) is None:
                        return
                started = time.perf_counter()
                with browser.stream("GET", path) as response:
                    took = time.perf_counter() - started
                    response.read()
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path}: {response.status_code}")
                with lock:
                    samples.append(took)
        finally:
            browser.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for done in [pool.submit(worker) for _ in range(clients)]:
            done.result()
    return samples


def measure(
    suite: Suite, person: Person, pages: list[tuple[str, str, str]], args: Any
) -> list[tuple[str, int, list[float]]]:
    """(page, its upstream calls, its first-byte samples) for every page."""
    sessions: dict[str, Callable[[], httpx.Client]] = {
        "anonymous": lambda: suite.client(follow_redirects=False),
        "citizen": lambda: portal_session(suite, person.email, person.password),
        "officer": lambda: portal_session(suite, RECEIVER),
    }
    results = []
    for who, name, path in pages:
        probe = sessions[who]()
        try:
            first = probe.get(path)
            if first.status_code != 200:
                raise RuntimeError(f"GET {path} as {who}: {first.status_code}")
            calls = upstream_calls(first)
        finally:
            probe.close()
        samples = first_bytes(sessions[who], path, args.requests, args.clients, args.seconds)
        results.append((name, calls, samples))
    return results


def table(results: list[tuple[str, int, list[float]]], baseline: float) -> list[str]:
    return [
        f"| {name:<40} | {calls:>5} | {len(samples):>5} | {p(samples, 50):7.1f}"
        f" | {p(samples, 99):7.1f} | {p(samples, 50) / baseline:5.1f}× |"
        for name, calls, samples in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="GETs per page at most")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60, help="per page at most")
    parser.add_argument("--drafts", type=int, default=12)
    parser.add_argument("--submitted", type=int, default=4)
    args = parser.parse_args()
    with running_suite() as suite:
        person = new_citizen("bench-portal")
        citizen = register_and_activate(suite, person)
        submitted_id, draft_id = seed(citizen, person, args.drafts, args.submitted)
        citizen.close()
        pages = [
            ("anonymous", "anonymous: home «/»", "/"),
            ("anonymous", f"anonymous: procedure «/thu-tuc/{EXTRACT}»", f"/thu-tuc/{EXTRACT}"),
            ("citizen", "citizen: «QUẢN LÝ HỒ SƠ» «/ho-so»", "/ho-so"),
            ("citizen", "citizen: a submitted dossier", f"/ho-so/{submitted_id}"),
            ("citizen", "citizen: a draft's form «/khai»", f"/ho-so/{draft_id}/khai"),
            ("citizen", "citizen: notifications «/thong-bao»", "/thong-bao"),
            ("officer", "officer: queue to receive «/can-bo»", "/can-bo"),
        ]
        results = measure(suite, person, pages, args)
    print(
        f"\n{args.clients} clients, up to {args.requests} GETs or {args.seconds:g} s per page;"
        " first byte in ms; × = p50 / the anonymous procedure page's p50\n"
    )
    print(f"| {'page':<40} | calls | count |     p50 |     p99 |      × |")
    print(f"|{'-' * 42}|{'-' * 7}|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    print("\n".join(table(results, p(results[1][2], 50))))


if __name__ == "__main__":
    main()
