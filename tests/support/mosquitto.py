"""A throwaway Mosquitto 2 broker for the integration tests.

The broker listens on 127.0.0.1 on a free port (never the system broker on 1883) with a generated
configuration: persistence on (in the broker's temp directory, so ``stop()``/``start()`` keeps queued
QoS 1 messages of persistent sessions), ``max_inflight_messages 1000`` (ingest acknowledges after the
database commit) and ``max_queued_messages 0`` (unlimited; the default of 1000
silently drops messages for a slow QoS 1 subscriber, see REFERENCE.md §1). Extra configuration lines,
a password file and an ACL file can be supplied for authentication tests.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from tests.support.processes import MissingSystemDependencyError, free_port, service_argv, tail, terminate

log = logging.getLogger(__name__)

MOSQUITTO_CANDIDATES = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")
PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes ("$7$101$...")

# MQTT 3.1.1 CONNECT, clean session, keepalive 10 s, zero-length client id; any CONNACK means "ready".
_PROBE_CONNECT = bytes([0x10, 12, 0, 4]) + b"MQTT" + bytes([4, 0x02, 0, 10, 0, 0])
_DISCONNECT = bytes([0xE0, 0])


def find_mosquitto() -> Path:
    """Path of the ``mosquitto`` binary (``SIAGA_MOSQUITTO`` overrides the search).

    Raises
    ------
    MissingSystemDependencyError
        If it is not installed.
    """
    override = os.environ.get("SIAGA_MOSQUITTO")
    candidates = [override] if override else [shutil.which("mosquitto"), *MOSQUITTO_CANDIDATES]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise MissingSystemDependencyError("the Mosquitto MQTT broker", "mosquitto", [c for c in candidates if c])


def password_file_line(username: str, password: str) -> str:
    """One ``mosquitto_passwd``-compatible line (PBKDF2-SHA512, ``$7$`` format)."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    encoded = f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    return f"{username}:{encoded}"


class MosquittoFactory(Protocol):
    """Type of the ``mosquitto_factory`` fixture: starts a dedicated broker, destroyed after the test."""

    def __call__(
        self,
        extra_conf: str = "",
        *,
        passwords: Mapping[str, str] | None = None,
        acl: str | None = None,
        allow_anonymous: bool | None = None,
    ) -> MosquittoBroker: ...


class MosquittoBroker:
    """One disposable Mosquitto broker; ``start()``/``stop()`` may be called repeatedly.

    Parameters
    ----------
    binary
        The ``mosquitto`` executable (see :func:`find_mosquitto`).
    extra_conf
        Lines appended to the generated configuration. ``{dir}`` is replaced by the broker directory,
        where :meth:`write_file` puts files.
    passwords
        ``{username: password}``; written to a password file referenced by ``password_file``.
    acl
        Content of an ACL file referenced by ``acl_file`` (mosquitto ``acl_file`` syntax).
    allow_anonymous
        Defaults to True without ``passwords`` and False with them.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        binary: Path,
        *,
        extra_conf: str = "",
        passwords: Mapping[str, str] | None = None,
        acl: str | None = None,
        allow_anonymous: bool | None = None,
        port: int | None = None,
    ) -> None:
        self.binary = binary
        self.port = port if port is not None else free_port()
        self.base_dir = Path(tempfile.mkdtemp(prefix="siaga-mqtt-"))
        self.persistence_dir = self.base_dir / "persistence"
        self.persistence_dir.mkdir()
        self.log_path = self.base_dir / "mosquitto.log"
        self.stderr_path = self.base_dir / "mosquitto.stderr"
        self.conf_path = self.base_dir / "mosquitto.conf"
        self._proc: subprocess.Popen[bytes] | None = None
        self._destroyed = False
        atexit.register(self.destroy)

        lines = [extra_conf.replace("{dir}", str(self.base_dir))]
        if passwords is not None:
            content = "".join(password_file_line(user, pw) + "\n" for user, pw in passwords.items())
            lines.append(f"password_file {self.write_file('passwords', content)}")
        if acl is not None:
            lines.append(f"acl_file {self.write_file('acl', acl)}")
        anonymous = passwords is None if allow_anonymous is None else allow_anonymous
        self.conf_path.write_text(self._base_conf(anonymous) + "\n".join(lines) + "\n")

    def _base_conf(self, allow_anonymous: bool) -> str:
        as_root = "user root\n" if os.geteuid() == 0 else ""  # keep root: files here are root-owned
        return (
            "# generated by tests/support/mosquitto.py\n"
            "per_listener_settings false\n"
            f"listener {self.port} {self.host}\n"
            f"allow_anonymous {'true' if allow_anonymous else 'false'}\n"
            "persistence true\n"
            f"persistence_location {self.persistence_dir}/\n"
            "max_queued_messages 0\n"
            "max_inflight_messages 1000\n"  # as deploy/mosquitto/siaga.conf: ingest acks after commit
            "set_tcp_nodelay true\n"  # as deploy/mosquitto/siaga.conf
            f"log_dest file {self.log_path}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "log_timestamp_format %Y-%m-%dT%H:%M:%S\n"
            f"{as_root}"
        )

    def write_file(self, name: str, content: str) -> Path:
        """Write ``content`` to ``<broker dir>/<name>`` (readable by the broker); return the path."""
        path = self.base_dir / name
        path.write_text(content)
        return path

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """True while the broker process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the broker on ``self.port`` (same port and persistence after a stop)."""
        if self.is_running:
            return
        with self.stderr_path.open("ab") as err:
            self._proc = subprocess.Popen(
                service_argv([str(self.binary), "-c", str(self.conf_path)], run_as=None, death_signal="TERM"),
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready(timeout_s)
        log.info("Mosquitto started on %s:%d (conf %s)", self.host, self.port, self.conf_path)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.is_running:
                raise RuntimeError(f"Mosquitto exited during start-up.\n{self.diagnostics()}")
            if self._answers_connect():
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"Mosquitto on port {self.port} not ready after {timeout_s} s.\n{self.diagnostics()}"
        )

    def _answers_connect(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as sock:
                sock.sendall(_PROBE_CONNECT)
                reply = sock.recv(4)
                if reply[:1] == b"\x20":
                    sock.sendall(_DISCONNECT)
                    return True
        except OSError:
            pass
        return False

    def stop(self, timeout_s: float = 30.0) -> None:
        """Graceful stop (SIGTERM): Mosquitto writes its persistence file, so sessions survive a start()."""
        if self._proc is not None:
            terminate(self._proc, signal.SIGTERM, timeout_s)
            self._proc = None

    def kill(self) -> None:
        """Crash the broker (SIGKILL): nothing is saved since the last autosave."""
        if self._proc is not None:
            terminate(self._proc, signal.SIGKILL, 30)
            self._proc = None

    def restart(self) -> None:
        """Graceful stop, then start on the same port with the same persistence."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        """Stop the broker and delete its directory. Safe to call twice."""
        if self._destroyed:
            return
        self._destroyed = True
        self.stop(timeout_s=10)
        shutil.rmtree(self.base_dir, ignore_errors=True)
        atexit.unregister(self.destroy)

    def diagnostics(self) -> str:
        """Configuration and log tails, for failure messages."""
        return (
            f"--- {self.conf_path}\n{tail(self.conf_path, 60)}\n"
            f"--- {self.stderr_path}\n{tail(self.stderr_path)}\n"
            f"--- {self.log_path}\n{tail(self.log_path)}"
        )
