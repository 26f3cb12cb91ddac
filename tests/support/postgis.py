"""A throwaway PostgreSQL + PostGIS cluster for the integration tests.

The cluster lives in a ``tempfile.mkdtemp`` directory, listens on 127.0.0.1 on a free port (never the
system server on 5432) and runs with ``fsync=off`` because its data is disposable. Commits are still
written to the OS before they return (``synchronous_commit`` stays on), so a committed row survives
``stop(mode="immediate")`` — a simulated server crash — just not a machine crash. As root it runs as the
``postgres`` user, since PostgreSQL refuses to run as root.

Databases
---------
``siaga_template``
    Created once with ``CREATE EXTENSION postgis``; never connected to afterwards.
``siaga``
    A clone of the template shared by the whole session (``postgis_url`` fixture).
``t_<n>``
    One clone per test (``pg_url`` / ``pg_engine`` fixtures), dropped at teardown.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

from tests.support.processes import (
    MissingSystemDependencyError,
    chown_to,
    free_port,
    run_checked,
    service_argv,
    service_user,
    tail,
    terminate,
)

log = logging.getLogger(__name__)

PG_ROOT = Path("/usr/lib/postgresql")
TEMPLATE_DB = "siaga_template"
SESSION_DB = "siaga"
PostgisFactory = Callable[[], "PostgisServer"]
"""Type of the ``postgis_factory`` fixture: starts a dedicated, prepared cluster."""
ShutdownMode = Literal["smart", "fast", "immediate"]
_SHUTDOWN_SIGNAL = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}


def _postgis_control(bin_dir: Path) -> Path | None:
    """Path of postgis.control for the server in ``bin_dir``, if PostGIS is installed for it."""
    pg_config = bin_dir / "pg_config"
    if not pg_config.exists():
        return None
    done = subprocess.run(
        [str(pg_config), "--sharedir"], capture_output=True, text=True, check=False, timeout=30
    )
    control = Path(done.stdout.strip()) / "extension" / "postgis.control"
    return control if done.returncode == 0 and control.exists() else None


def find_postgres_bin(roots: Sequence[Path] = (PG_ROOT,)) -> Path:
    """Directory holding ``initdb``/``postgres`` of a PostgreSQL that has PostGIS installed.

    ``SIAGA_PG_BIN`` overrides the search; otherwise the newest ``<root>/<major>/bin`` wins, then
    whatever ``pg_config`` on PATH reports.

    Raises
    ------
    MissingSystemDependencyError
        If no PostgreSQL with PostGIS is found.
    """
    candidates: list[Path] = []
    override = os.environ.get("SIAGA_PG_BIN")
    if override:
        candidates.append(Path(override))
    else:
        for root in roots:
            if root.is_dir():
                majors = [p for p in root.iterdir() if p.name.isdigit()]
                candidates += [p / "bin" for p in sorted(majors, key=lambda p: int(p.name), reverse=True)]
        on_path = shutil.which("pg_config")
        if on_path:
            done = subprocess.run([on_path, "--bindir"], capture_output=True, text=True, check=False)
            if done.returncode == 0:
                candidates.append(Path(done.stdout.strip()))
    for bin_dir in candidates:
        if (bin_dir / "postgres").exists() and (bin_dir / "initdb").exists() and _postgis_control(bin_dir):
            return bin_dir
    raise MissingSystemDependencyError(
        "PostgreSQL with the PostGIS extension",
        "postgresql-15-postgis-3",
        [str(c) for c in candidates] or [str(r) for r in roots],
    )


class PostgisServer:
    """One disposable PostgreSQL cluster; ``start()``/``stop()`` may be called repeatedly.

    Parameters
    ----------
    bin_dir
        Directory with ``initdb`` and ``postgres`` (see :func:`find_postgres_bin`).
    port
        TCP port on 127.0.0.1; a free one is picked when omitted. It is kept across restarts.
    """

    host = "127.0.0.1"
    user = "postgres"

    def __init__(self, bin_dir: Path, *, port: int | None = None) -> None:
        self.bin_dir = bin_dir
        self.port = port if port is not None else free_port()
        self._run_as = service_user("postgres")
        # As root the server runs as "postgres", which must be able to reach the directory: /tmp always
        # is, while a TMPDIR under /root would not be.
        self.base_dir = Path(tempfile.mkdtemp(prefix="siaga-pg-", dir="/tmp" if self._run_as else None))
        self.data_dir = self.base_dir / "data"
        self.log_path = self.base_dir / "postgres.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self._destroyed = False
        chown_to(self.base_dir, self._run_as)
        atexit.register(self.destroy)

    # -- lifecycle -------------------------------------------------------------------------------

    @classmethod
    def launch(cls, bin_dir: Path) -> PostgisServer:
        """Create, start and prepare a cluster: template database with PostGIS + the session database."""
        server = cls(bin_dir)
        try:
            server.initdb()
            server.start()
            server.create_database(TEMPLATE_DB, extensions=("postgis",))
            server.create_database(SESSION_DB, template=TEMPLATE_DB)
        except BaseException:
            server.destroy()
            raise
        return server

    def initdb(self) -> None:
        """Create the data directory (trust authentication, superuser ``postgres``, UTF8, C locale)."""
        argv = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-A",
            "trust",
            "-U",
            self.user,
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]
        run_checked(
            service_argv(argv, run_as=self._run_as, death_signal="KILL"), cwd=self.base_dir, what="initdb"
        )

    @property
    def is_running(self) -> bool:
        """True while the postmaster process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the server on ``self.port`` and wait until it accepts connections."""
        if self.is_running:
            return
        argv = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        for setting in (
            f"listen_addresses={self.host}",
            f"unix_socket_directories={self.base_dir}",
            "fsync=off",
            "full_page_writes=off",
            "max_connections=200",
            "log_min_messages=warning",
        ):
            argv += ["-c", setting]
        with self.log_path.open("ab") as log_file:
            self._proc = subprocess.Popen(
                service_argv(argv, run_as=self._run_as, death_signal="QUIT"),
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready(timeout_s)
        log.info("PostgreSQL started on %s:%d (data %s)", self.host, self.port, self.data_dir)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.is_running:
                raise RuntimeError(f"PostgreSQL exited during start-up. Log:\n{tail(self.log_path)}")
            try:
                with self.admin_connect(connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = exc
                time.sleep(0.05)
        raise RuntimeError(
            f"PostgreSQL on port {self.port} not ready after {timeout_s} s ({last_error}). "
            f"Log:\n{tail(self.log_path)}"
        )

    def stop(self, mode: ShutdownMode = "fast", timeout_s: float = 60.0) -> None:
        """Stop the server: ``fast`` disconnects clients cleanly, ``immediate`` simulates a crash."""
        if self._proc is not None:
            terminate(self._proc, _SHUTDOWN_SIGNAL[mode], timeout_s)
            self._proc = None

    def restart(self) -> None:
        """Fast stop, then start again on the same port with the same data."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        """Stop the server (immediately) and delete its directory. Safe to call twice."""
        if self._destroyed:
            return
        self._destroyed = True
        self.stop(mode="immediate", timeout_s=30)
        shutil.rmtree(self.base_dir, ignore_errors=True)
        atexit.unregister(self.destroy)

    # -- databases -------------------------------------------------------------------------------

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    @property
    def url(self) -> str:
        """URL of the session database ``siaga`` (PostGIS enabled)."""
        return self.url_for(SESSION_DB)

    def admin_connect(self, database: str = "postgres", connect_timeout: int = 10) -> psycopg.Connection:
        """Autocommit psycopg connection, for DDL such as CREATE/DROP DATABASE."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=database,
            autocommit=True,
            connect_timeout=connect_timeout,
        )

    def create_database(
        self, name: str, *, template: str | None = None, extensions: Iterable[str] = ()
    ) -> str:
        """Create ``name`` (optionally a copy of ``template``), install ``extensions``; return its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        with self.admin_connect() as conn:
            conn.execute(statement)
        wanted = list(extensions)
        if wanted:
            with self.admin_connect(name) as conn:
                for extension in wanted:
                    conn.execute(
                        sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension))
                    )
        return self.url_for(name)

    def clone_database(self, template: str = TEMPLATE_DB, prefix: str = "t") -> str:
        """Create a fresh database copied from ``template``; return its name."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.create_database(name, template=template)
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting any client still attached to it."""
        with self.admin_connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
