"""The demo's crews: one simulated crew per unit reads its crew page and reports, over HTTP.

Each crew signs in with its unit's device secret (enrolled when the demo starts), looks at
``GET /api/v1/crew/assignment`` every second (with ``If-None-Match``, as the phone page does), decides
with :func:`tracking.crew_sim.next_step`, sends its vehicle in the simulator, and reports its status
with ``POST /api/v1/crew/status`` — the same route, rules and audit as a real crew's taps.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from dispatch_geo.domain.values import LonLat
from tracking.crew_sim import CrewMemory, next_step
from tracking.simulator import FleetSimulator

log = logging.getLogger(__name__)


@dataclass
class DemoCrew:
    unit_id: str
    index: int
    """The unit's vehicle in the simulator."""
    secret: str
    home: LonLat
    memory: CrewMemory = field(default_factory=CrewMemory)
    etag: str | None = None
    view: dict[str, Any] | None = None


def _look(http: httpx.Client, crew: DemoCrew) -> dict[str, Any] | None:
    headers = {"Authorization": f"Bearer {crew.secret}"}
    if crew.etag:
        headers["If-None-Match"] = crew.etag
    answer = http.get("/api/v1/crew/assignment", headers=headers)
    if answer.status_code == 304:
        return crew.view
    answer.raise_for_status()
    crew.etag = answer.headers.get("etag")
    crew.view = answer.json()
    return crew.view


def act(http: httpx.Client, crew: DemoCrew, simulator: FleetSimulator, *, dwell_s: float) -> None:
    """One look at the crew page and what the crew does about it."""
    view = _look(http, crew)
    if view is None:
        return
    step = next_step(
        view,
        crew.memory,
        arrived=simulator.arrived(crew.index),
        now_s=time.monotonic(),
        dwell_s=dwell_s,
        home=crew.home,
    )
    if step.drive_to is not None:
        simulator.command(crew.index, step.drive_to)
        crew.memory.driving_to = step.drive_to
    if step.patrol:
        simulator.command(crew.index, None)
        crew.memory.driving_to = None
    if step.report is not None:
        body = {"status": step.report, "expected_status": view["unit_status"], **step.extra}
        answer = http.post(
            "/api/v1/crew/status", json=body, headers={"Authorization": f"Bearer {crew.secret}"}
        )
        crew.etag = None
        if answer.status_code != 200:
            log.info("demo crew of %s could not report %s: %s", crew.unit_id, step.report, answer.text)
        else:
            log.info("demo crew of %s reported %s", crew.unit_id, step.report)


def run_crews(
    base_url: str,
    crews: list[DemoCrew],
    simulator: FleetSimulator,
    *,
    dwell_s: float,
    should_stop: threading.Event,
    look_every_s: float = 1.0,
) -> None:
    """Every crew looks at its page every ``look_every_s`` until ``should_stop`` is set; ``dwell_s``
    (wall-clock seconds) is how long it stays on scene and at the hospital."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        while not should_stop.is_set():
            for crew in crews:
                try:
                    act(http, crew, simulator, dwell_s=dwell_s)
                except httpx.HTTPError as exc:  # a process boundary: log, carry on with the others
                    log.warning("demo crew of %s: %s", crew.unit_id, exc)
            should_stop.wait(look_every_s)
