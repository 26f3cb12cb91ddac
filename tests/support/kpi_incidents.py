"""Incidents with known timelines, for the KPI tests (API, CLI, browser): the figures they must give
are worked out by hand in tests/integration/test_kpi.py.

Six medical calls (PSC 119 ambulances) over two weeks in two kecamatan, and one fire that Damkar and
Polres both answered; one more call was cancelled before any unit was sent. Times in seconds after
the call: (call → created, created → dispatched, dispatched → en route, en route → on scene).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo, incident_repo
from dispatch_geo.storage.models import UnitRow

WEEK1 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
"""Monday 2 November 2026, 08:00 WIB."""
WEEK2 = WEEK1 + timedelta(days=7)
PERIOD = (WEEK1 - timedelta(hours=1), WEEK2 + timedelta(days=7))
SIAK = ("14.08.01", "Siak", LonLat(102.05, 0.80))
MEMPURA = ("14.08.02", "Mempura", LonLat(102.07, 0.79))

MEDICAL = [
    # start, kecamatan, (call→created, created→dispatched, dispatched→en route, en route→on scene)
    (WEEK1, SIAK, (60, 30, 60, 300)),
    (WEEK1 + timedelta(days=1), SIAK, (90, 60, 120, 420)),
    (WEEK1 + timedelta(days=2), SIAK, (30, 90, 60, 600)),
    (WEEK2, MEMPURA, (120, 30, 30, 240)),
    (WEEK2 + timedelta(days=1), MEMPURA, (60, 120, 90, 900)),
    (WEEK2 + timedelta(days=2), MEMPURA, (45, 45, 45, 360)),
]
TRANSPORTS = {0: (600, 900), 1: (600, 1200)}
"""Medical calls whose patient was taken to hospital: (on scene → transporting, → at hospital)."""


def _respond(
    session: Session,
    incident_id: int,
    unit_id: str,
    dispatched: datetime,
    en_route: datetime,
    on_scene: datetime,
    transport: tuple[int, int] | None = None,
) -> datetime:
    incident_repo.assign_unit(session, incident_id=incident_id, unit_id=unit_id, at=dispatched, by="op")
    steps = [(UnitStatus.EN_ROUTE, en_route), (UnitStatus.ON_SCENE, on_scene)]
    if transport is not None:
        moving = on_scene + timedelta(seconds=transport[0])
        steps += [
            (UnitStatus.TRANSPORTING, moving),
            (UnitStatus.AT_HOSPITAL, moving + timedelta(seconds=transport[1])),
        ]
    for status, at in steps:
        fleet_repo.change_unit_status(
            session, unit_id=unit_id, new_status=status, at=at, by="op", incident_id=incident_id
        )
    return steps[-1][1]


def _finish(session: Session, incident_id: int, units: list[str], at: datetime) -> None:
    for unit_id in units:
        fleet_repo.change_unit_status(
            session, unit_id=unit_id, new_status=UnitStatus.RETURNING, at=at, by="op", incident_id=incident_id
        )
        incident_repo.release_assignment(session, incident_id=incident_id, unit_id=unit_id, at=at)
        fleet_repo.change_unit_status(
            session, unit_id=unit_id, new_status=UnitStatus.AVAILABLE, at=at, by="op"
        )
    incident_repo.change_incident_status(
        session, incident_id=incident_id, new_status=IncidentStatus.ON_SCENE, at=at
    )
    incident_repo.change_incident_status(
        session, incident_id=incident_id, new_status=IncidentStatus.CLOSED, at=at
    )


def _incident(
    session: Session, call: datetime, created: datetime, place: tuple[str, str, LonLat], kind: str
) -> int:
    kode, nama, point = place
    row = incident_repo.create_incident(
        session,
        incident_type=kind,
        priority=1,
        location=point,
        created_at=created,
        created_by="op",
        call_received_at=call,
        kecamatan_kode=kode,
        kecamatan_nama=nama,
        desa_nama=nama,
    )
    return row.id


def add_known_incidents(session: Session) -> list[int]:
    """Store the incidents (the fleet must be imported); returns their ids. Does not commit.

    The fleet's units get a last status change before the incidents (an app imports the fleet "now",
    and a status change is never recorded before the unit's last one).
    """
    session.execute(update(UnitRow).values(status_changed_at=WEEK1 - timedelta(days=30)))
    ids = []
    for i, (call, place, (to_create, to_dispatch, turnout, travel)) in enumerate(MEDICAL):
        created = call + timedelta(seconds=to_create)
        incident_id = _incident(session, call, created, place, "medical")
        dispatched = created + timedelta(seconds=to_dispatch)
        en_route = dispatched + timedelta(seconds=turnout)
        on_scene = en_route + timedelta(seconds=travel)
        last = _respond(
            session, incident_id, "AMB-SIAK-01", dispatched, en_route, on_scene, TRANSPORTS.get(i)
        )
        units = ["AMB-SIAK-01"]
        if i == 0:  # a second ambulance, later: the first unit's times count
            late = dispatched + timedelta(seconds=200)
            _respond(
                session,
                incident_id,
                "AMB-SIAK-02",
                late,
                late + timedelta(seconds=60),
                late + timedelta(seconds=2000),
            )
            units.append("AMB-SIAK-02")
            last = max(last, late + timedelta(seconds=2000))
        _finish(session, incident_id, units, last + timedelta(seconds=600))
        ids.append(incident_id)
    # a fire: Damkar response 60+60+120+500 = 740 s (standard 900 s: within); Polres travel 1000 s
    call = WEEK1 + timedelta(days=3)
    created = call + timedelta(seconds=60)
    fire = _incident(session, call, created, SIAK, "fire")
    d = created + timedelta(seconds=60)
    _respond(session, fire, "DMK-SIAK-01", d, d + timedelta(seconds=120), d + timedelta(seconds=620))
    p = created + timedelta(seconds=100)
    _respond(session, fire, "POL-SIAK-01", p, p + timedelta(seconds=100), p + timedelta(seconds=1100))
    _finish(session, fire, ["DMK-SIAK-01", "POL-SIAK-01"], p + timedelta(seconds=3600))
    ids.append(fire)
    # a hoax, cancelled before any unit was sent: counted, no intervals
    hoax = _incident(
        session, WEEK2 + timedelta(days=3), WEEK2 + timedelta(days=3, seconds=50), MEMPURA, "other"
    )
    incident_repo.change_incident_status(
        session,
        incident_id=hoax,
        new_status=IncidentStatus.CANCELLED,
        at=WEEK2 + timedelta(days=3, seconds=90),
    )
    ids.append(hoax)
    return ids
