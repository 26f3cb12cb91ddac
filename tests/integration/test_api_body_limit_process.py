"""A 300 MB request body against a real uvicorn process: refused with 413 while it streams in, and the
server's memory does not grow with it (it once read the whole body: 429 → 960 MB, issue 10 #6).

The client is a raw socket, so the test controls exactly what is sent (chunked transfer encoding, or
a Content-Length and no body at all) and stops sending as soon as the server answers.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OWNTRACKS = "/api/v1/devices/owntracks"  # needs no credential: the body is all an attacker must send
MIB = 1024 * 1024


@dataclass
class ServerProcess:
    pid: int
    port: int

    def status_kib(self, field: str) -> int:
        """``VmRSS``, ``VmHWM``... of the server process from /proc, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.pid}/status")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SIAGA_DATABASE_URL": f"sqlite:///{tmp_path / 'siaga.db'}",
        "SIAGA_VAR_DIR": str(tmp_path),
    }
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.api_process", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(1200):  # up to 2 minutes on a busy machine
            if process.poll() is not None:
                raise AssertionError(f"the server died: {(tmp_path / 'server.log').read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.1)
        else:
            raise AssertionError("the server did not start")
        yield ServerProcess(pid=process.pid, port=port)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """Status and raw bytes of the response on ``sock`` (read until the server closes or 64 KiB)."""
    data = b""
    while len(data) < 65536:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if b"content-length:" in head.lower():
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            if len(body) >= length:
                break
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    return int(data.split(b" ")[1]), data


def stream_post(port: int, total_bytes: int, *, chunk_bytes: int = 256 * 1024) -> tuple[int, bytes, int]:
    """POST ``total_bytes`` of JSON-typed junk in chunks (``Transfer-Encoding: chunked``), stopping as soon
    as the server answers; returns the status, the raw response and the bytes sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sent = 0
    with sock:
        sock.sendall(
            f"POST {OWNTRACKS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "X-Limit-U: u\r\nX-Limit-D: d\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        block = b"%x\r\n" % chunk_bytes + b"x" * chunk_bytes + b"\r\n"
        try:
            while sent < total_bytes:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:  # the server answered (413): stop sending
                    break
                sock.sendall(block)
                sent += chunk_bytes
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server closed the connection after answering
        status, raw = _read_response(sock)
    return status, raw, sent


def test_a_300_mb_streamed_body_is_refused_without_growing_the_server(server: ServerProcess) -> None:
    # warm up: the first requests import and allocate what every later request reuses
    for _ in range(3):
        stream_post(server.port, 4 * MIB)
    rss_before_kib = server.status_kib("VmRSS")
    hwm_before_kib = server.status_kib("VmHWM")

    status, raw, sent = stream_post(server.port, 300 * 1000 * 1000)

    rss_after_kib = server.status_kib("VmRSS")
    hwm_after_kib = server.status_kib("VmHWM")
    print(
        f"300 MB streamed: status {status}, sent {sent / MIB:.1f} MiB before the answer; server RSS "
        f"{rss_before_kib / 1024:.1f} → {rss_after_kib / 1024:.1f} MiB, peak (VmHWM) "
        f"{hwm_before_kib / 1024:.1f} → {hwm_after_kib / 1024:.1f} MiB"
    )
    assert status == 413, raw[:300]
    assert b"request body too large" in raw
    assert (rss_after_kib - rss_before_kib) < 20 * 1024, "server memory grew by 20 MB or more"
    assert (hwm_after_kib - hwm_before_kib) < 20 * 1024, "server memory peaked 20 MB higher or more"


def test_a_declared_300_mb_body_is_refused_before_any_of_it_is_sent(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            f"POST {OWNTRACKS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 300000000\r\n\r\n".encode()
        )
        status, raw = _read_response(sock)  # nothing of the body was sent: the answer comes anyway
    assert status == 413, raw[:300]
    assert b"content-security-policy" in raw.lower()
