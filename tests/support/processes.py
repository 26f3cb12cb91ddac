"""Process plumbing shared by the test services (PostGIS, Mosquitto).

Every service is a child process of the pytest process, launched through ``setpriv --pdeathsig`` so that
the kernel stops it if pytest dies without running its finalizers (SIGKILL, segfault, ``kill -9`` from a
CI runner). Normal teardown still goes through fixture finalizers and an ``atexit`` hook.

The parent-death signal fires when the *thread* that started the child exits, so start services from the
main thread (as pytest fixtures do), never from a short-lived worker thread.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

INSTALL_HINT = "make test   (runs scripts/ensure-system-deps.sh, which apt-installs the system packages)"


class MissingSystemDependencyError(RuntimeError):
    """A binary the integration tests need is not installed on this machine."""

    def __init__(self, what: str, package: str, looked_in: Sequence[str]) -> None:
        where = ", ".join(looked_in) if looked_in else "nowhere"
        ci = os.environ.get("CI") == "true"
        advice = (
            "CI must provision it: .ci/run calls `make test`, which runs scripts/ensure-system-deps.sh."
            if ci
            else f"Install it with:\n    {INSTALL_HINT}\nor: sudo apt-get install -y {package}"
        )
        super().__init__(
            f"{what} is required by the integration tests but was not found (looked in: {where}).\n"
            f"Debian package: {package}.\n{advice}"
        )
        self.what = what
        self.package = package


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def service_user(preferred: str) -> str | None:
    """User a service must run as: ``preferred`` when we are root (PostgreSQL refuses root), else None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(preferred)
    except KeyError as exc:
        raise MissingSystemDependencyError(
            f"system user {preferred!r}", "postgresql-15", [f"getpwnam({preferred!r})"]
        ) from exc
    return preferred


def chown_to(path: Path, user: str | None) -> None:
    """Give ``path`` (a directory we just created) to ``user``; no-op when ``user`` is None."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def service_argv(argv: Sequence[str], *, run_as: str | None, death_signal: str) -> list[str]:
    """Wrap ``argv`` so it runs as ``run_as`` and receives ``death_signal`` if pytest dies.

    Parameters
    ----------
    argv
        The service command line.
    run_as
        User to switch to (needs root), or None to keep the current user.
    death_signal
        Signal name (``TERM``, ``QUIT``...) delivered to the service when its parent thread exits.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if run_as is None:
            return list(argv)
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", run_as, "--", *argv]
    prefix = [setpriv, "--pdeathsig", death_signal]
    if run_as is not None:
        prefix += ["--reuid", run_as, "--regid", run_as, "--clear-groups"]
    return [*prefix, *argv]


def run_checked(argv: Sequence[str], *, cwd: Path, what: str, timeout_s: float = 120.0) -> None:
    """Run a short command; raise RuntimeError carrying its output if it fails."""
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{what} failed with exit code {done.returncode}: {' '.join(argv)}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )


def tail(path: Path, lines: int = 40) -> str:
    """Last ``lines`` lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def terminate(proc: subprocess.Popen[bytes], sig: signal.Signals, timeout_s: float) -> None:
    """Send ``sig`` and wait for exit; escalate to SIGKILL after ``timeout_s``."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
