"""`motcua`: start, stop and inspect the local engines and services."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.table import Table

from motcua_ops.engines import engine_status, ensure_engines, stop_engines
from motcua_ops.errors import MissingPrerequisite, OpsError
from motcua_ops.paths import REPO_ROOT, state_dir
from motcua_ops.seed import seed_demo
from motcua_ops.services import service_status, start_services, stop_services
from motcua_ops.ui import console, error, info, warn

app = typer.Typer(
    help="Một Cửa local launcher (no Docker needed).", no_args_is_help=True, add_completion=False
)
engines_app = typer.Typer(
    help="Only the engines: Kafka, PostgreSQL, SMTP sink, S3 (versitygw).",
    no_args_is_help=True,
)
app.add_typer(engines_app, name="engines")
audit_app = typer.Typer(
    help="Dossier audit: replay and verify the event history.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")
projections_app = typer.Typer(help="Read models.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
dlq_app = typer.Typer(help="Dead-letter topics.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
notify_app = typer.Typer(help="The notify service's email queue.", no_args_is_help=True)
app.add_typer(notify_app, name="notify")
files_app = typer.Typer(help="Stored files (attachments, wallet documents).", no_args_is_help=True)
app.add_typer(files_app, name="files")

T = TypeVar("T")
PORTAL = "Cổng thông tin (portal)"


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; a launcher error becomes one message and a non-zero exit."""
    sys.path.insert(0, str(REPO_ROOT))  # `services.*` seeders import without pip install -e
    try:
        return action()
    except MissingPrerequisite as exc:
        error(f"motcua: {exc}")
        raise typer.Exit(2) from exc
    except OpsError as exc:
        error(f"motcua: {exc}")
        raise typer.Exit(1) from exc


def _engines_table(state: Path) -> bool:
    table = Table("engine", "address", "pid", "process", "answers", title="engines")
    all_up = True
    for row in engine_status(state):
        all_up &= row.alive and row.answering
        table.add_row(
            row.name, row.address, str(row.pid or "-"), _yes(row.alive), _yes(row.answering)
        )
    console.print(table)
    return all_up


def _services_table(state: Path) -> bool:
    # lag: consumers, end offsets minus committed; outbox: notifications not yet relayed
    table = Table("service", "url", "pid", "state", "lag", "outbox", title="services")
    all_up = True
    for row in service_status(state):
        all_up &= row.ok
        table.add_row(
            row.name,
            row.url,
            str(row.pid or "-"),
            row.state,
            _count(row.consumer_lag),
            _count(row.relay_lag),
        )
    console.print(table)
    return all_up


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _yes(flag: bool) -> str:
    return "[green]yes[/green]" if flag else "[red]no[/red]"


@engines_app.command("up")
def engines_up() -> None:
    """Install what is missing, start the engines that are not running, wait until ready."""
    state = state_dir()
    guarded(lambda: ensure_engines(state))
    _engines_table(state)
    info(f"state: {state / 'engines.json'}")


@engines_app.command("down")
def engines_down() -> None:
    """Stop the engines (idempotent)."""
    stopped = guarded(lambda: stop_engines(state_dir()))
    info(f"stopped: {', '.join(stopped)}" if stopped else "no engine was running")


@engines_app.command("status")
def engines_status() -> None:
    """Show each engine; exit 0 only if all run and answer."""
    if not _engines_table(state_dir()):
        raise typer.Exit(1)


@app.command()
def up(
    engines_only: bool = typer.Option(False, "--engines-only", help="Do not start services."),
    demo: bool = typer.Option(False, "--demo", help="Also seed the demo data (idempotent)."),
) -> None:
    """Start engines, then services; wait until every service answers /readyz."""
    state = state_dir()
    guarded(lambda: ensure_engines(state))
    if engines_only:
        _engines_table(state)
        return
    results = guarded(lambda: start_services(state))
    if demo and all(r.ok for r in results):
        guarded(lambda: seed_demo(state))
    _engines_table(state)
    _services_table(state)
    failed = [r for r in results if not r.ok]
    for result in failed:
        warn(f"{result.name}: {result.state}" + (f" - {result.detail}" if result.detail else ""))
    gateway = next((r for r in results if r.name == "gateway"), None)
    if gateway and gateway.ok:
        info(f"{PORTAL}: {gateway.url}/")
    if failed:
        raise typer.Exit(1)


@app.command()
def down() -> None:
    """Stop services, then engines; leaves no process behind (idempotent)."""
    state = state_dir()
    services = guarded(lambda: stop_services(state))
    engines = guarded(lambda: stop_engines(state))
    stopped = services + engines
    info(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command()
def status() -> None:
    """Show engines and services; exit 0 only if all are up."""
    state = state_dir()
    engines_ok = _engines_table(state)
    services_ok = _services_table(state)
    if not (engines_ok and services_ok):
        raise typer.Exit(1)


@app.command()
def seed(demo: bool = typer.Option(False, "--demo", help="Seed the demo data set.")) -> None:
    """Seed demo data through the services' own seeders."""
    if not demo:
        info("nothing to do: pass --demo")
        return
    guarded(lambda: seed_demo(state_dir()))


@audit_app.command("replay")
def audit_replay(
    code: str, at: str = typer.Option(None, "--at", help="ISO time with zone; default now.")
) -> None:
    """A dossier's state as of a moment and its events, as JSON."""
    from services.dossier.entrypoints.audit_cli import replay

    status, text = replay(code, at)
    print(text)
    raise typer.Exit(status)


@audit_app.command("verify")
def audit_verify(code: str) -> None:
    """Check a dossier's hash chain; exits 1 if an event was altered."""
    from services.dossier.entrypoints.audit_cli import verify

    status, text = verify(code)
    print(text)
    raise typer.Exit(status)


@projections_app.command("rebuild")
def projections_rebuild(
    service: str,
    schema: str = typer.Option(None, "--schema", help="Target PostgreSQL schema."),
) -> None:
    """Drop a service's read models and project every event again (notify: dossiers,
    accounts and calendar_overrides from the topics; notifications, preferences, emails and
    stats are not replays and stay as they are)."""
    if service == "notify":
        from services.notify.entrypoints.projections_cli import main as rebuild_notify

        raise typer.Exit(rebuild_notify(["rebuild", *(["--schema", schema] if schema else [])]))
    if service == "payment":
        if schema:
            error("--schema is for dossier and notify; payment rebuilds its own schema")
            raise typer.Exit(2)
        from services.payment.entrypoints.worker.rebuild import main as rebuild_payment

        raise typer.Exit(rebuild_payment())
    if service != "dossier":
        error(f"no read models to rebuild for {service!r} (known: dossier, notify, payment)")
        raise typer.Exit(2)
    from services.dossier.entrypoints.projections_cli import main as rebuild

    argv = ["rebuild", *(["--schema", schema] if schema else [])]
    raise typer.Exit(rebuild(argv))


@files_app.command("sweep")
def files_sweep(
    service: str,
    grace_hours: float = typer.Option(
        None,
        "--grace-hours",
        help="Files younger than this stay, referenced or not "
        "(default: MOTCUA_<SERVICE>_BLOB_SWEEP_GRACE_HOURS, 24).",
    ),
) -> None:
    """Delete the files of SERVICE (dossier, identity) nothing refers to any more
    (docs/decisions.md, «Files nobody needs»); prints what it did as JSON. The
    services also sweep by themselves every MOTCUA_<SERVICE>_BLOB_SWEEP_INTERVAL_HOURS."""
    from datetime import timedelta

    grace = None if grace_hours is None else timedelta(hours=grace_hours)
    if service == "dossier":
        from services.dossier.entrypoints.files_cli import main as sweep_dossier

        print(guarded(lambda: sweep_dossier(grace)))
    elif service == "identity":
        from services.identity.entrypoints.files_cli import main as sweep_identity

        print(guarded(lambda: sweep_identity(grace)))
    else:
        error(f"no files to sweep for {service!r} (known: dossier, identity)")
        raise typer.Exit(2)


@dlq_app.command("replay")
def dlq_replay(
    topic: str,
    bootstrap: str = typer.Option(
        None,
        "--bootstrap",
        help="Kafka bootstrap servers "
        "(default: MOTCUA_KAFKA_BOOTSTRAP_SERVERS, else the engines').",
    ),
) -> None:
    """Republish the messages parked in TOPIC's .dlq twin to TOPIC."""
    import asyncio
    import json
    import os

    from shared.kafka.dlq import replay

    servers = (
        bootstrap
        or os.environ.get("MOTCUA_KAFKA_BOOTSTRAP_SERVERS")
        or json.loads((state_dir() / "engines.json").read_text())["kafka"]["bootstrap_servers"]
    )
    count = asyncio.run(replay(servers, topic))
    info(f"{count} message(s) replayed from {topic.removesuffix('.dlq')}.dlq")


@notify_app.command("retry-emails")
def notify_retry_emails() -> None:
    """Send again the emails that failed after every SMTP attempt (status 'failed')."""
    from services.notify.entrypoints.cli import main as retry

    count = guarded(retry)
    info(f"{count} email(s) queued again")


if __name__ == "__main__":
    app()
