"""`dispatch-geo serve --workers 3`: three processes behind one port agree on the picture (issue 16).

The real CLI on PostGIS, on the Siak test grid given as the schematic source. Every request below opens
a new connection, so the kernel hands them to whichever worker accepts; whichever answers, the live
picture is the same (same open incidents, same unit statuses, the same ETag) right after each change.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.integration.api_fixtures import NEAR_TOWN, auth
from tests.support.processes import free_port
from tests.support.siak_grid import write_siak_grid_osm

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
ASKS = 24
"""Requests (each on a new connection) asked after each change."""


@pytest.fixture
def served(tmp_path: Path, pg_db_url: str) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SIAGA_DATABASE_URL": pg_db_url,
        "SIAGA_VAR_DIR": str(tmp_path / "var"),
        "SIAGA_SCHEMATIC_OSM_PATH": str(write_siak_grid_osm(tmp_path)),
        "SIAGA_HTTP_PORT": str(port),
        "SIAGA_DATABASE_POOL_SIZE": "6",
        "SIAGA_DATABASE_MAX_OVERFLOW": "3",
        # each change in the next answer (the per-process build throttle: test_live_feed.py)
        "SIAGA_LIVE_MIN_INTERVAL_S": "0",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from siaga.cli import main; main()", "serve", "--workers", str(WORKERS)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(1800):  # up to 3 minutes on a busy machine
            if process.poll() is not None:
                raise AssertionError(f"serve died: {(tmp_path / 'serve.log').read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.1)
        else:
            raise AssertionError(f"serve did not start: {(tmp_path / 'serve.log').read_text()}")
        yield url, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pictures(url: str, role: str = "dispatcher") -> list[tuple[str, list[int], dict[str, str]]]:
    """``ASKS`` answers of GET /live, each on a fresh connection: (ETag, open ids, unit → status)."""
    seen = []
    for _ in range(ASKS):
        with httpx.Client(timeout=30) as fresh:
            answer = fresh.get(f"{url}/live", headers=auth(role))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        statuses = {f["id"]: f["properties"]["status"] for f in body["units"]["features"]}
        seen.append((answer.headers["ETag"], [i["id"] for i in body["incidents"]], statuses))
    return seen


def test_three_workers_behind_one_port_agree_on_the_picture(served: tuple[str, psutil.Process]) -> None:
    url, parent = served
    workers = [p for p in parent.children(recursive=True) if "python" in p.name().lower()]
    assert len(workers) >= WORKERS, f"{WORKERS} worker processes under serve: {workers}"
    first = pictures(url)
    assert {etag for etag, _, _ in first} == {first[0][0]}, "one picture before any change"

    created = []
    for _ in range(3):  # each on a new connection: any worker may take it
        response = httpx.post(
            f"{url}/incidents",
            headers=auth("dispatcher"),
            json={"incident_type": "medical", "priority": 2, "lon": NEAR_TOWN[0], "lat": NEAR_TOWN[1]},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    after_create = pictures(url)
    assert all(sorted(ids) == sorted(created) for _, ids, _ in after_create), after_create
    assert len({etag for etag, _, _ in after_create}) == 1, "every worker answers the same picture"

    unit = "AMB-SIAK-01"
    position = httpx.put(
        f"{url}/units/{unit}/position", headers=auth("dispatcher"), json={"lon": 102.05, "lat": 0.80}
    )
    assert position.status_code == 200, position.text
    assign = httpx.post(
        f"{url}/incidents/{created[0]}/assignments", headers=auth("dispatcher"), json={"unit_id": unit}
    )
    assert assign.status_code == 201, assign.text
    assert all(statuses[unit] == "dispatched" for _, _, statuses in pictures(url)), "the assignment"
    cancelled = httpx.post(f"{url}/incidents/{created[1]}/cancel", headers=auth("dispatcher"), json={})
    assert cancelled.status_code == 200, cancelled.text
    assert all(created[1] not in ids for _, ids, _ in pictures(url)), "the cancellation"
