# ruff: noqa: F811 - the ingest_command fixture imported from test_ingest_cli is redefined as a parameter
"""An ingest worker's Prometheus endpoint has no credential, so it listens on SIAGA_METRICS_HOST
(default 127.0.0.1) even when the API is published on every interface with SIAGA_HTTP_HOST=0.0.0.0."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_ingest_cli import ingest_command  # noqa: F401
from tests.integration.test_ingest_mqtt import seed


def test_ingest_metrics_listen_on_localhost_even_when_the_api_is_public(
    pg_url, mosquitto_broker, ingest_command, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SIAGA_HTTP_HOST", "0.0.0.0")
    seed(pg_url)
    worker = ingest_command(pg_url, mosquitto_broker)
    worker.wait_connected()
    port = int(worker.metrics_url.split(":")[2].split("/")[0])
    assert listening_addresses(port) == ["127.0.0.1"]


def listening_addresses(port: int) -> list[str]:
    """IPv4 addresses with a socket listening on TCP ``port`` (from /proc/net/tcp)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address_hex, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            found.append(".".join(str(b) for b in reversed(bytes.fromhex(address_hex))))
    return found
