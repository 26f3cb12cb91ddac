"""Concurrent assignment through the real HTTP stack: uvicorn in a thread, 100 client threads released
together by a barrier, PostGIS row locks deciding. Exactly one dispatcher wins a unit; the state left
behind is consistent."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage.models import AssignmentRow, IncidentRow, UnitRow, UnitStatusChangeRow
from siaga.api import create_app
from siaga.settings import Settings
from tests.integration.api_fixtures import auth

REQUESTS = 100


@dataclass
class LiveServer:
    base_url: str
    engine: Engine
    max_concurrent_connections: list[int]


def _serve(
    database_url: str, siak_grid: RoadGraph, gazetteer: Gazetteer, **overrides: object
) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, **overrides)  # type: ignore[arg-type]
    app = create_app(settings, road=siak_grid, gazetteer=gazetteer)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    engine: Engine = app.state.siaga.engine
    in_use = [0]
    peak = [0]
    lock = threading.Lock()

    @event.listens_for(engine, "checkout")
    def _checkout(*_: object) -> None:
        with lock:
            in_use[0] += 1
            peak[0] = max(peak[0], in_use[0])

    @event.listens_for(engine, "checkin")
    def _checkin(*_: object) -> None:
        with lock:
            in_use[0] -= 1

    yield LiveServer(f"http://127.0.0.1:{port}/api/v1", engine, peak)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def live_server(pg_db_url: str, siak_grid: RoadGraph, gazetteer: Gazetteer) -> Iterator[LiveServer]:
    yield from _serve(pg_db_url, siak_grid, gazetteer, database_pool_size=20, database_max_overflow=30)


@pytest.fixture
def live_server_any(db_url: str, siak_grid: RoadGraph, gazetteer: Gazetteer) -> Iterator[LiveServer]:
    """uvicorn on PostGIS and on SQLite (where ``BEGIN IMMEDIATE`` serialises the writers)."""
    pool = {"database_pool_size": 20, "database_max_overflow": 30} if db_url.startswith("postgres") else {}
    yield from _serve(db_url, siak_grid, gazetteer, **pool)


def _fire(base_url: str, jobs: list[tuple[int, str]]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(jobs))

    def one(job: tuple[int, str]) -> httpx.Response:
        incident_id, unit_id = job
        with httpx.Client(base_url=base_url, headers=auth("dispatcher"), timeout=60) as client:
            barrier.wait()
            return client.post(f"/incidents/{incident_id}/assignments", json={"unit_id": unit_id})

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def _incidents(base_url: str, n: int) -> list[int]:
    with httpx.Client(base_url=base_url, headers=auth("dispatcher")) as client:
        ids = []
        for _ in range(n):
            r = client.post(
                "/incidents", json={"incident_type": "medical", "priority": 1, "lon": 102.07, "lat": 0.79}
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        return ids


def test_hundred_dispatchers_racing_for_one_unit(live_server: LiveServer) -> None:
    incidents = _incidents(live_server.base_url, 10)
    responses = _fire(live_server.base_url, [(incidents[i % 10], "AMB-SIAK-01") for i in range(REQUESTS)])

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (REQUESTS - 1)
    winner = next(r.json() for r in responses if r.status_code == 201)
    for loser in (r.json() for r in responses if r.status_code == 409):
        assert f"already assigned to incident {winner['incident_id']}" in loser["detail"]
        assert loser["details"]["held_by_incident_id"] == winner["incident_id"]
        assert loser["details"]["assigned_by"] == "demo-dispatcher"
    assert live_server.max_concurrent_connections[0] > 1, "requests never overlapped at the database"

    with Session(live_server.engine) as session:
        open_assignments = session.scalars(
            select(AssignmentRow).where(AssignmentRow.released_at.is_(None))
        ).all()
        changes = session.scalars(select(UnitStatusChangeRow)).all()
        unit = session.get(UnitRow, "AMB-SIAK-01")
        statuses = dict(session.execute(select(IncidentRow.id, IncidentRow.status)).all())
    assert [(a.incident_id, a.unit_id) for a in open_assignments] == [(winner["incident_id"], "AMB-SIAK-01")]
    assert [(c.unit_id, c.from_status, c.to_status, c.incident_id) for c in changes] == [
        ("AMB-SIAK-01", "available", "dispatched", winner["incident_id"])
    ]
    assert unit is not None
    assert unit.status == "dispatched"
    assert {i: s for i, s in statuses.items() if s != "new"} == {winner["incident_id"]: "dispatched"}


def test_hundred_requests_over_many_units_and_incidents_leave_a_consistent_state(
    live_server: LiveServer,
) -> None:
    incidents = _incidents(live_server.base_url, 10)
    units = ["AMB-SIAK-01", "AMB-SIAK-02", "AMB-SIAK-03", "AMB-MNS-01", "AMB-KDS-01", "AMB-PSK-01"]
    rng = random.Random(112)
    jobs = [(rng.choice(incidents), rng.choice(units)) for _ in range(REQUESTS)]
    responses = _fire(live_server.base_url, jobs)

    assert {r.status_code for r in responses} <= {201, 409}
    won = [r.json() for r in responses if r.status_code == 201]
    assert sorted(w["unit_id"] for w in won) == sorted({u for _, u in jobs})  # every unit asked for, once
    with Session(live_server.engine) as session:
        open_rows = session.scalars(select(AssignmentRow).where(AssignmentRow.released_at.is_(None))).all()
        n_changes = session.scalar(select(func.count()).select_from(UnitStatusChangeRow))
        unit_status = dict(session.execute(select(UnitRow.id, UnitRow.status)).all())
        incident_status = dict(session.execute(select(IncidentRow.id, IncidentRow.status)).all())
    assert sorted((a.incident_id, a.unit_id) for a in open_rows) == sorted(
        (w["incident_id"], w["unit_id"]) for w in won
    )
    assert n_changes == len(won)
    assert all(unit_status[w["unit_id"]] == "dispatched" for w in won)
    with_units = {w["incident_id"] for w in won}
    assert all((incident_status[i] == "dispatched") == (i in with_units) for i in incidents)


# --- cancel vs assign vs unit status ------------------------------------------------------------------

RACES = 100
RACES_PER_WAVE = 10
RACE_UNITS = ["AMB-SIAK-01", "AMB-SIAK-02", "AMB-SIAK-03", "AMB-MNS-01", "AMB-KDS-01", "AMB-PSK-01"]
COMMITTED = {"dispatched", "en_route", "on_scene", "transporting", "at_hospital"}
"""Statuses of a unit that works an incident (transporting/at_hospital may outlive the incident)."""
MUST_HOLD = {"dispatched", "en_route", "on_scene"}
"""Statuses that only make sense with an open assignment."""
TO_AVAILABLE = {"transporting": ["at_hospital", "available"]}
Job = tuple[str, str, dict[str, str]]
"""(method, path, JSON body)"""


def _to_available(client: httpx.Client, unit_id: str) -> None:
    current = client.get(f"/units/{unit_id}").json()["status"]
    for step in [] if current == "available" else TO_AVAILABLE.get(current, ["available"]):
        r = client.post(f"/units/{unit_id}/status", json={"status": step})
        assert r.status_code == 200, r.text


def _race_jobs(rng: random.Random, incident_id: int, unit_id: str, other_unit: str) -> list[Job]:
    """Three requests released together: cancel (or close) the incident, assign a unit, move a unit's
    status."""
    status = rng.choice(["en_route", "on_scene", "available", "out_of_service", "returning"])
    assigned = rng.choice([unit_id, other_unit])
    finish = rng.choice(["cancel", "cancel", "close"])
    return [
        ("POST", f"/incidents/{incident_id}/{finish}", {"note": "duplicate call"}),
        ("POST", f"/incidents/{incident_id}/assignments", {"unit_id": assigned}),
        ("POST", f"/units/{unit_id}/status", {"status": status}),
    ]


def _fire_any(base_url: str, jobs: list[Job]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(jobs))

    def one(job: Job) -> httpx.Response:
        method, path, body = job
        with httpx.Client(base_url=base_url, headers=auth("dispatcher"), timeout=60) as client:
            barrier.wait()
            return client.request(method, path, json=body)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def _assert_consistent(engine: Engine) -> None:
    with Session(engine) as session:
        incidents = {i.id: i for i in session.scalars(select(IncidentRow))}
        units = {u.id: u for u in session.scalars(select(UnitRow))}
        assignments = session.scalars(select(AssignmentRow)).all()
        changes = session.scalars(
            select(UnitStatusChangeRow).order_by(UnitStatusChangeRow.changed_at, UnitStatusChangeRow.id)
        ).all()
    open_by_unit: dict[str, list[AssignmentRow]] = {}
    for a in assignments:
        if a.released_at is None:
            open_by_unit.setdefault(a.unit_id, []).append(a)
            assert incidents[a.incident_id].status not in {"cancelled", "closed"}, (a.incident_id, a.unit_id)
        else:
            assert a.released_at >= a.assigned_at, (a.id, a.assigned_at, a.released_at)
    for unit in units.values():
        held = open_by_unit.get(unit.id, [])
        assert len(held) <= 1, (unit.id, [a.incident_id for a in held])
        if held:
            assert unit.status in COMMITTED, (unit.id, unit.status, held[0].incident_id)
        if unit.status in MUST_HOLD:
            assert held, f"unit {unit.id} is {unit.status} with no open assignment"
    for incident in incidents.values():
        if incident.closed_at is not None:
            assert incident.closed_at >= incident.created_at
    last: dict[str, UnitStatusChangeRow] = {}
    for change in changes:  # the audit trail is one unbroken chain per unit, in time order
        if change.unit_id in last:
            assert change.from_status == last[change.unit_id].to_status, (change.unit_id, change.id)
        last[change.unit_id] = change
    for unit_id, change in last.items():
        assert units[unit_id].status == change.to_status, unit_id


def test_hundred_cancel_close_assign_status_races_never_500_and_leave_consistent_rows(
    live_server_any: LiveServer,
) -> None:
    base_url = live_server_any.base_url
    rng = random.Random(10)
    codes: list[int] = []
    for _wave in range(RACES // RACES_PER_WAVE):
        units = rng.sample(RACE_UNITS, k=len(RACE_UNITS))
        with httpx.Client(base_url=base_url, headers=auth("dispatcher"), timeout=60) as client:
            for unit_id in RACE_UNITS:
                _to_available(client, unit_id)
        incidents = _incidents(base_url, RACES_PER_WAVE)
        jobs: list[Job] = []
        with httpx.Client(base_url=base_url, headers=auth("dispatcher"), timeout=60) as client:
            for i, incident_id in enumerate(incidents[: len(units) // 2]):
                # half the races start with the unit already working the incident
                held = units[2 * i]
                r = client.post(f"/incidents/{incident_id}/assignments", json={"unit_id": held})
                assert r.status_code == 201, r.text
        for i, incident_id in enumerate(incidents):
            unit_id, other = units[(2 * i) % len(units)], units[(2 * i + 1) % len(units)]
            jobs += _race_jobs(rng, incident_id, unit_id, other)
        responses = _fire_any(base_url, jobs)
        codes += [r.status_code for r in responses]
        server_errors = [
            (j[1], r.status_code, r.text)
            for j, r in zip(jobs, responses, strict=True)
            if r.status_code >= 500
        ]
        assert not server_errors, server_errors
        _assert_consistent(live_server_any.engine)
    assert set(codes) <= {200, 201, 409, 422}, sorted(set(codes))
    assert {200, 201, 409} <= set(codes), "the races never produced every outcome"
