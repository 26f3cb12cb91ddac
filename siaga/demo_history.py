"""A few weeks of SIMULATED past incidents for the demo, so the Kinerja page has something to show.

Every incident is stored with ``simulated = true`` and ``created_by = "simulasi"``, and the Kinerja
page and its exports say how many of the figures come from them. The history is written as audit rows
(incidents, their creation and close events, assignments, unit status changes) without touching the
units' current state. Plausible, not measured: calls per day and the mix of types are guesses; the
travel time is the straight-line distance from the unit's post at 35 km/h with a 1.4 detour factor and
noise; every unit works one simulated incident at a time. Deterministic (a fixed random seed).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyproj import Transformer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage._common import great_circle_m as haversine_m
from dispatch_geo.storage.event_models import IncidentEventKind, IncidentEventRow
from dispatch_geo.storage.models import AssignmentRow, IncidentRow, UnitRow, UnitStatusChangeRow

log = logging.getLogger(__name__)

SIMULATOR = "simulasi"
"""``created_by`` / ``changed_by`` of every simulated row."""

MIX: tuple[tuple[IncidentType, float, tuple[str, ...]], ...] = (
    (IncidentType.MEDICAL, 0.45, ("ambulance",)),
    (IncidentType.TRAFFIC_ACCIDENT, 0.2, ("ambulance", "police_car")),
    (IncidentType.FIRE, 0.1, ("fire_engine",)),
    (IncidentType.FOREST_FIRE, 0.07, ("fire_engine",)),
    (IncidentType.CRIME, 0.12, ("police_car",)),
    (IncidentType.FLOOD, 0.06, ("rescue",)),
)
"""Incident types, their share of calls and the unit types sent (a guess, labelled as such)."""


@dataclass(frozen=True)
class _Place:
    point: LonLat
    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    kecamatan_nama: str


def _places(gazetteer: Gazetteer) -> list[_Place]:
    to_wgs84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    places = []
    for area in gazetteer.desa_areas():
        p = area.polygon_metric.representative_point()
        lon, lat = to_wgs84.transform(p.x, p.y)
        places.append(
            _Place(LonLat(lon, lat), area.kode, area.nama, area.kecamatan_kode, area.kecamatan_nama)
        )
    return places


def simulated_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(IncidentRow.simulated.is_(True))) or 0)


def _status_rows(
    unit_id: str, incident_id: int, steps: list[tuple[UnitStatus, datetime]]
) -> list[UnitStatusChangeRow]:
    rows, previous = [], UnitStatus.AVAILABLE
    for status, at in steps:
        rows.append(
            UnitStatusChangeRow(
                unit_id=unit_id,
                from_status=previous,
                to_status=status,
                changed_at=at,
                changed_by=SIMULATOR,
                incident_id=None if status == UnitStatus.AVAILABLE else incident_id,
            )
        )
        previous = status
    return rows


def seed_simulated_history(
    session: Session,
    *,
    gazetteer: Gazetteer,
    now: datetime,
    days: int = 28,
    calls_per_day: int = 9,
    seed: int = 112,
) -> int:
    """Store ``days`` days of simulated incidents ending yesterday; returns how many. Does not commit."""
    rng = random.Random(seed)
    places = _places(gazetteer)
    units = list(session.scalars(select(UnitRow).order_by(UnitRow.id)))
    homes = {u.id: fleet_repo.get_station(session, station_id=u.station_id).location for u in units}
    busy_until: dict[str, datetime] = {}
    start = (now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    calls = sorted(
        start + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(days * calls_per_day)
    )
    stored = 0
    for call in calls:
        kind, _, unit_types = rng.choices(MIX, weights=[m[1] for m in MIX])[0]
        place = rng.choice(places)
        created = call + timedelta(seconds=rng.uniform(30, 150))
        incident = IncidentRow(
            incident_type=kind,
            priority=rng.choice((1, 1, 2, 2, 3)),
            status=IncidentStatus.CLOSED,
            location=place.point,
            address="",
            description="SIMULASI / SIMULATED (demo data)",
            desa_kode=place.desa_kode,
            desa_nama=place.desa_nama,
            kecamatan_kode=place.kecamatan_kode,
            kecamatan_nama=place.kecamatan_nama,
            created_at=created,
            created_by=SIMULATOR,
            call_received_at=call,
            closed_at=created,
            simulated=True,
        )
        session.add(incident)
        session.flush()
        closed = created
        for unit_type in unit_types:
            free = [u for u in units if u.unit_type == unit_type and busy_until.get(u.id, start) < created]
            if not free:
                continue
            unit = min(free, key=lambda u: haversine_m(homes[u.id], place.point) * rng.uniform(0.8, 1.2))
            dispatched = created + timedelta(seconds=rng.lognormvariate(4.2, 0.5))
            en_route = dispatched + timedelta(seconds=rng.lognormvariate(4.3, 0.5))
            travel_s = (
                haversine_m(homes[unit.id], place.point) * 1.4 / (35 / 3.6) * rng.uniform(0.85, 1.3) + 60
            )
            on_scene = en_route + timedelta(seconds=travel_s)
            steps = [
                (UnitStatus.DISPATCHED, dispatched),
                (UnitStatus.EN_ROUTE, en_route),
                (UnitStatus.ON_SCENE, on_scene),
            ]
            done = on_scene + timedelta(minutes=rng.uniform(15, 45))
            if unit_type == "ambulance" and rng.random() < 0.5:
                steps += [
                    (UnitStatus.TRANSPORTING, done),
                    (UnitStatus.AT_HOSPITAL, done + timedelta(minutes=rng.uniform(10, 35))),
                ]
                done = steps[-1][1] + timedelta(minutes=10)
            steps += [
                (UnitStatus.RETURNING, done),
                (UnitStatus.AVAILABLE, done + timedelta(seconds=travel_s)),
            ]
            session.add(
                AssignmentRow(
                    incident_id=incident.id,
                    unit_id=unit.id,
                    assigned_at=dispatched,
                    assigned_by=SIMULATOR,
                    released_at=done,
                )
            )
            session.add_all(_status_rows(unit.id, incident.id, steps))
            busy_until[unit.id] = steps[-1][1]
            closed = max(closed, done)
        incident.closed_at = closed
        session.add_all(
            [
                IncidentEventRow(
                    incident_id=incident.id,
                    kind=IncidentEventKind.CREATED,
                    at=created,
                    by=SIMULATOR,
                    to_status=IncidentStatus.NEW,
                    detail={"simulated": True},
                ),
                IncidentEventRow(
                    incident_id=incident.id,
                    kind=IncidentEventKind.STATUS,
                    at=closed,
                    by=SIMULATOR,
                    from_status=IncidentStatus.ON_SCENE,
                    to_status=IncidentStatus.CLOSED,
                    detail={"simulated": True},
                ),
            ]
        )
        stored += 1
    session.flush()
    log.warning("demo: stored %d SIMULATED past incidents (%d days)", stored, days)
    return stored
