"""A private PostgreSQL cluster (Debian's binaries) under the state dir, on a loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import stat
from pathlib import Path
from typing import Any, ClassVar

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.errors import EngineError, MissingPrerequisite
from motcua_ops.ui import info, step

USER = PASSWORD = DBNAME = "motcua"
# One role and one schema per service: a service connects as motcua_<name>, owns the
# schema <name> and has no privilege on any other service's schema.
SERVICE_ROLES = ("identity", "catalog", "dossier", "payment", "notify", "gateway")
EXTENSIONS = ("unaccent", "pg_trgm")  # catalog search; in `public`, usable by every role
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes including "/.s.PGSQL.<port>"


def postgres_bin() -> Path:
    """The bin dir of the newest PostgreSQL under /usr/lib/postgresql."""
    root = Path(os.environ.get("MOTCUA_POSTGRES_ROOT", "/usr/lib/postgresql"))
    found = [p for p in root.glob("*/bin") if (p / "postgres").is_file()] if root.is_dir() else []
    if not found:
        raise MissingPrerequisite("PostgreSQL server (postgres, initdb)", "postgresql")

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    return max(found, key=version)


def os_user() -> str | None:
    """initdb/postgres refuse to run as root: then they run as the `postgres` OS user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise MissingPrerequisite("the `postgres` OS user", "postgresql") from exc
    return "postgres"


class Postgres(Engine):
    name = "postgres"
    marker = "postgres"
    port_envs: ClassVar[dict[str, str]] = {"port": "MOTCUA_POSTGRES_PORT"}
    start_timeout = 60.0

    def check_prerequisites(self) -> None:
        postgres_bin()
        os_user()

    def entry(self, ports: dict[str, int]) -> Entry:
        port = ports["port"]
        services = {
            name: {
                "role": f"motcua_{name}",
                "schema": name,
                "dsn": f"postgresql://motcua_{name}:{password}@127.0.0.1:{port}/{DBNAME}",
            }
            for name, password in self._role_passwords().items()
        }
        return {
            "dsn": f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{DBNAME}",
            "services": services,
            "host": "127.0.0.1",
            "port": port,
            "user": USER,
            "password": PASSWORD,
            "dbname": DBNAME,
            "pid": None,
        }

    def _role_passwords(self) -> dict[str, str]:
        """Each service role's password, made once and kept (0600) beside the cluster."""
        path = self.data_dir / "roles.json"
        known = json.loads(path.read_text()) if path.exists() else {}
        if set(SERVICE_ROLES) - set(known):
            known = {name: known.get(name) or secrets.token_urlsafe(18) for name in SERVICE_ROLES}
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(known))
            path.chmod(0o600)
        return known

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "sock"

    def start(self, entry: Entry) -> int:
        user = os_user()
        self._prepare_dirs(user)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(user)
        sockets = str(self.socket_dir) if len(str(self.socket_dir)) < SOCKET_PATH_MAX else ""
        cmd = [
            str(postgres_bin() / "postgres"),
            "-D",
            str(self.pgdata),
            "-p",
            str(entry["port"]),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={sockets}",
            # fsync off: this cluster is a local dev/test engine; losing it on a power cut
            # is acceptable and it makes tests much faster. Never use this in production.
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ]
        return procs.spawn(cmd, self.paths.log(self.name), cwd=self.data_dir, user=user)

    def _prepare_dirs(self, user: str | None) -> None:
        for path in (self.pgdata, self.socket_dir):
            path.mkdir(parents=True, exist_ok=True)
        if user is None:
            self.pgdata.chmod(0o700)
            return
        entry = pwd.getpwnam(user)
        for path in (self.data_dir, self.pgdata, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)
        make_traversable(self.data_dir)

    def _initdb(self, user: str | None) -> None:
        pwfile = self.data_dir / ".pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if user:
            entry = pwd.getpwnam(user)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        pwfile.chmod(0o600)
        try:
            with step("initialising the PostgreSQL cluster (initdb)"):
                procs.run(
                    [
                        str(postgres_bin() / "initdb"),
                        "-D",
                        str(self.pgdata),
                        "-U",
                        USER,
                        f"--pwfile={pwfile}",
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--no-locale",
                    ],
                    self.paths.log("postgres-initdb"),
                    what="initdb",
                    user=user,
                    cwd=self.data_dir,
                )
        finally:
            pwfile.unlink(missing_ok=True)

    def answering(self, entry: Entry) -> bool:
        return _select_one(entry["dsn"])

    def after_ready(self, entry: Entry) -> None:
        """Create the `motcua` database (initdb only creates `postgres`), the extensions,
        and each service's role and schema; idempotent."""
        import psycopg

        admin = entry["dsn"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DBNAME,))
            if row.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{DBNAME}" OWNER "{USER}"')
                info(f"created PostgreSQL database {DBNAME}")
        with psycopg.connect(entry["dsn"], autocommit=True, connect_timeout=5) as conn:
            provision_roles(conn, entry.get("services") or {})


def provision_roles(conn: Any, services: dict[str, dict[str, str]]) -> None:
    """Extensions in `public`; per service a login role (its password from its DSN) that
    owns its schema and may create more (tests' schemas), and nothing else."""
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    for extension in EXTENSIONS:
        conn.execute(
            sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(
                sql.Identifier(extension)
            )
        )
    for name, service in services.items():
        role, schema = sql.Identifier(service["role"]), sql.Identifier(service["schema"])
        password = conninfo_to_dict(service["dsn"])["password"]
        exists = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (service["role"],)
        ).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password))
        )
        conn.execute(
            sql.SQL("GRANT CONNECT, CREATE ON DATABASE {} TO {}").format(
                sql.Identifier(DBNAME), role
            )
        )
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(schema, role)
        )
        if not exists:
            info(f"created PostgreSQL role {service['role']}, owner of schema {name}")

    def stop(self, entry: Entry) -> bool:
        if not self.running(entry):
            return False
        with contextlib.suppress(EngineError):  # then the signals below finish the job
            procs.run(
                [
                    str(postgres_bin() / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.pgdata),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    "30",
                ],
                self.paths.log("postgres"),
                what="pg_ctl stop",
                user=os_user(),
            )
        procs.stop(entry.get("pid"), self.marker)
        return True


def _select_one(dsn: str) -> bool:
    import psycopg

    admin = dsn.rsplit("/", 1)[0] + "/postgres"  # `motcua` may not exist yet on first start
    try:
        with psycopg.connect(admin, connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def make_traversable(path: Path) -> None:
    """Give `others` execute (not read) on `path` and its ancestors so the postgres user
    can reach its data dir (pytest's tmp dirs and /root are 0700)."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)
