"""Repository for stations and units: creation, queries, status changes, last known positions.

Every function takes the session as a keyword argument and **never commits**; the caller owns the
transaction. Functions that change a unit lock its row first (``SELECT ... FOR UPDATE`` on PostgreSQL;
on SQLite the ``BEGIN IMMEDIATE`` write lock of :func:`~dispatch_geo.storage.engine.make_engine`
serialises writers), so two dispatchers cannot both move the same unit. Lock order when a transaction
touches both: the incident first, then the unit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import Float, cast, func, select, text, update
from sqlalchemy.orm import Session

from dispatch_geo.domain.fleet_csv import Fleet
from dispatch_geo.domain.units import Agency, Station, StatusChange, Unit, UnitStatus, UnitType, transition
from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError, NotFoundError
from dispatch_geo.storage._common import as_set, conflict_savepoint, great_circle_m
from dispatch_geo.storage.models import StationRow, UnitRow, UnitStatusChangeRow
from dispatch_geo.storage.types import SRID

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnappedEdge:
    """Where a unit's last fix was snapped on the road graph (edge ``u``→``v``, parallel edge ``key``)."""

    u: int
    v: int
    key: int = 0
    offset_m: float | None = None
    """Distance along the edge from ``u``."""
    distance_m: float | None = None
    """Distance from the fix to the edge."""


# --- stations ---------------------------------------------------------------------------------------


def create_station(session: Session, *, station: Station) -> StationRow:
    """Insert ``station``; :class:`ConflictError` if its id exists."""
    row = StationRow(
        id=station.id,
        name=station.name,
        agency=station.agency,
        location=station.location,
        approximate=station.approximate,
        note=station.note,
    )
    with conflict_savepoint(session, f"station {station.id} could not be created"):
        session.add(row)
    return row


def get_station(session: Session, *, station_id: str) -> StationRow:
    """The station ``station_id``; :class:`NotFoundError` if absent."""
    row = session.get(StationRow, station_id)
    if row is None:
        raise NotFoundError(f"station {station_id!r} does not exist")
    return row


def list_stations(session: Session, *, agency: Agency | None = None) -> list[StationRow]:
    """All stations (optionally of one agency), ordered by id."""
    stmt = select(StationRow).order_by(StationRow.id)
    if agency is not None:
        stmt = stmt.where(StationRow.agency == Agency(agency))
    return list(session.scalars(stmt))


# --- units ------------------------------------------------------------------------------------------


def create_unit(session: Session, *, unit: Unit, at: datetime, device_id: str | None = None) -> UnitRow:
    """Insert ``unit`` (its status as given, changed ``at``); :class:`ConflictError` if the id exists."""
    row = UnitRow(
        id=unit.id,
        unit_type=unit.unit_type,
        agency=unit.agency,
        station_id=unit.station_id,
        status=unit.status,
        status_changed_at=require_aware(at, "unit creation time"),
        device_id=device_id,
    )
    with conflict_savepoint(session, f"unit {unit.id} could not be created"):
        session.add(row)
    return row


def get_unit(session: Session, *, unit_id: str, for_update: bool = False) -> UnitRow:
    """The unit ``unit_id``, row-locked when ``for_update``; :class:`NotFoundError` if absent."""
    stmt = select(UnitRow).where(UnitRow.id == unit_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFoundError(f"unit {unit_id!r} does not exist")
    return row


def get_unit_by_device(session: Session, *, device_id: str) -> UnitRow | None:
    """The unit carrying tracker ``device_id``, or None."""
    return session.scalars(select(UnitRow).where(UnitRow.device_id == device_id)).one_or_none()


def list_units(
    session: Session,
    *,
    status: UnitStatus | Iterable[UnitStatus] | None = None,
    unit_type: UnitType | Iterable[UnitType] | None = None,
    agency: Agency | None = None,
    station_id: str | None = None,
) -> list[UnitRow]:
    """Units matching every given filter (a filter may list several values), ordered by id."""
    stmt = select(UnitRow).order_by(UnitRow.id)
    statuses = as_set(status, UnitStatus)
    types = as_set(unit_type, UnitType)
    if statuses is not None:
        stmt = stmt.where(UnitRow.status.in_(sorted(statuses)))
    if types is not None:
        stmt = stmt.where(UnitRow.unit_type.in_(sorted(types)))
    if agency is not None:
        stmt = stmt.where(UnitRow.agency == Agency(agency))
    if station_id is not None:
        stmt = stmt.where(UnitRow.station_id == station_id)
    return list(session.scalars(stmt))


def set_unit_device(session: Session, *, unit_id: str, device_id: str | None) -> UnitRow:
    """Pair tracker ``device_id`` with the unit (None unpairs); :class:`ConflictError` if it is taken."""
    row = get_unit(session, unit_id=unit_id, for_update=True)
    with conflict_savepoint(session, f"device {device_id} could not be paired with unit {unit_id}"):
        row.device_id = device_id
    return row


def change_unit_status(
    session: Session,
    *,
    unit_id: str,
    new_status: UnitStatus,
    at: datetime,
    by: str,
    incident_id: int | None = None,
) -> StatusChange:
    """Move the unit to ``new_status`` under a row lock and write the audit row.

    Raises
    ------
    NotFoundError
        No such unit.
    InvalidTransition
        The status table does not allow the move from the unit's *current* (locked) status; nothing is
        written.

    ``at`` is read by the caller before the lock is granted, so a writer that waited for the lock can
    hold an older time than the change it waited for: the change is then recorded at the unit's last
    change time, never before it, and the audit trail stays in the order the changes happened.
    """
    row = get_unit(session, unit_id=unit_id, for_update=True)
    at = max(require_aware(at, "status change time"), row.status_changed_at)
    to_status = transition(row.unit_type, row.status, new_status)
    change = StatusChange(unit_id=unit_id, from_status=row.status, to_status=to_status, at=at, by=by)
    row.status = to_status
    row.status_changed_at = at
    session.add(
        UnitStatusChangeRow(
            unit_id=unit_id,
            from_status=change.from_status,
            to_status=change.to_status,
            changed_at=at,
            changed_by=by,
            incident_id=incident_id,
        )
    )
    session.flush()
    log.info("unit %s: %s -> %s by %s", unit_id, change.from_status, change.to_status, by)
    return change


def list_status_changes(
    session: Session, *, unit_id: str | None = None, since: datetime | None = None
) -> list[UnitStatusChangeRow]:
    """Audit rows (of one unit, since a time), oldest first."""
    stmt = select(UnitStatusChangeRow).order_by(UnitStatusChangeRow.changed_at, UnitStatusChangeRow.id)
    if unit_id is not None:
        stmt = stmt.where(UnitStatusChangeRow.unit_id == unit_id)
    if since is not None:
        stmt = stmt.where(UnitStatusChangeRow.changed_at >= require_aware(since))
    return list(session.scalars(stmt))


def update_unit_position(
    session: Session,
    *,
    unit_id: str,
    position: LonLat,
    fix_time: datetime,
    speed_kph: float | None = None,
    course_deg: float | None = None,
    snapped: SnappedEdge | None = None,
) -> bool:
    """Store the unit's last known position if ``fix_time`` is newer than the stored one.

    Phones flush queued fixes late and out of order (REFERENCE.md §1), so the newest fix time wins,
    never the last message. The check and the write are one ``UPDATE``, safe under concurrency.

    Returns
    -------
    bool
        True if the position was stored, False if an equal or newer fix was already there.

    Raises
    ------
    NotFoundError
        No such unit.
    """
    require_aware(fix_time, "fix time")
    stmt = (
        update(UnitRow)
        .where(UnitRow.id == unit_id)
        .where((UnitRow.last_fix_time.is_(None)) | (UnitRow.last_fix_time < fix_time))
        .values(
            last_position=position,
            last_fix_time=fix_time,
            last_speed_kph=speed_kph,
            last_course_deg=course_deg,
            snapped_edge_u=None if snapped is None else snapped.u,
            snapped_edge_v=None if snapped is None else snapped.v,
            snapped_edge_key=None if snapped is None else snapped.key,
            snapped_offset_m=None if snapped is None else snapped.offset_m,
            snapped_distance_m=None if snapped is None else snapped.distance_m,
        )
        .returning(UnitRow.id)
    )
    updated = session.execute(stmt).scalar_one_or_none() is not None
    if not updated and session.get(UnitRow, unit_id) is None:
        raise NotFoundError(f"unit {unit_id!r} does not exist")
    return updated


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """One unit's newest fix, for :func:`update_unit_positions`."""

    unit_id: str
    position: LonLat
    fix_time: datetime
    speed_kph: float | None = None
    course_deg: float | None = None
    snapped: SnappedEdge | None = None


def update_unit_positions(session: Session, *, updates: Iterable[PositionUpdate]) -> int:
    """:func:`update_unit_position` for many units in one statement on PostgreSQL (newest fix wins).

    Returns the number of units whose last position changed. Unknown unit ids are ignored here (the
    ingest writer resolves devices to existing units first).
    """
    rows = list(updates)
    if not rows:
        return 0
    if session.get_bind().dialect.name != "postgresql":
        return sum(
            update_unit_position(
                session,
                unit_id=u.unit_id,
                position=u.position,
                fix_time=u.fix_time,
                speed_kph=u.speed_kph,
                course_deg=u.course_deg,
                snapped=u.snapped,
            )
            for u in rows
        )
    params: dict[str, object] = {}
    values = []
    for i, u in enumerate(rows):
        require_aware(u.fix_time, "fix time")
        s = u.snapped
        params.update(
            {
                f"id{i}": u.unit_id,
                f"x{i}": u.position.lon,
                f"y{i}": u.position.lat,
                f"t{i}": u.fix_time,
                f"sp{i}": u.speed_kph,
                f"co{i}": u.course_deg,
                f"su{i}": s.u if s else None,
                f"sv{i}": s.v if s else None,
                f"sk{i}": s.key if s else None,
                f"so{i}": s.offset_m if s else None,
                f"sd{i}": s.distance_m if s else None,
            }
        )
        values.append(
            f"(:id{i}, CAST(:x{i} AS float8), CAST(:y{i} AS float8), CAST(:t{i} AS timestamptz), "
            f"CAST(:sp{i} AS float8), CAST(:co{i} AS float8), CAST(:su{i} AS bigint), "
            f"CAST(:sv{i} AS bigint), CAST(:sk{i} AS integer), CAST(:so{i} AS float8), "
            f"CAST(:sd{i} AS float8))"
        )
    stmt = text(
        "UPDATE units AS u SET last_position = ST_SetSRID(ST_MakePoint(v.x, v.y), 4326), "
        "last_fix_time = v.t, last_speed_kph = v.sp, last_course_deg = v.co, "
        "snapped_edge_u = v.su, snapped_edge_v = v.sv, snapped_edge_key = v.sk, "
        "snapped_offset_m = v.so, snapped_distance_m = v.sd "
        f"FROM (VALUES {', '.join(values)}) AS v(id, x, y, t, sp, co, su, sv, sk, so, sd) "
        "WHERE u.id = v.id AND (u.last_fix_time IS NULL OR u.last_fix_time < v.t)"
    )
    result = session.execute(stmt, params)
    return int(getattr(result, "rowcount", 0) or 0)


def units_within(
    session: Session,
    *,
    center: LonLat,
    radius_m: float,
    status: UnitStatus | Iterable[UnitStatus] | None = None,
) -> list[tuple[UnitRow, float]]:
    """Units whose last known position lies within ``radius_m`` (great circle) of ``center``.

    PostGIS answers with ``ST_DWithin`` on geography; on SQLite the distances are computed in Python.

    Returns
    -------
    list[tuple[UnitRow, float]]
        ``(unit, distance_m)`` pairs, nearest first.
    """
    if not radius_m >= 0:
        raise InputError(f"radius_m {radius_m!r} must be a non-negative number of metres")
    statuses = as_set(status, UnitStatus)
    conditions = [UnitRow.last_position.is_not(None)]
    if statuses is not None:
        conditions.append(UnitRow.status.in_(sorted(statuses)))
    if session.get_bind().dialect.name == "postgresql":
        here = cast(func.ST_SetSRID(func.ST_MakePoint(center.lon, center.lat), SRID), Geography)
        there = cast(UnitRow.last_position, Geography)
        distance_m = cast(func.ST_Distance(there, here), Float)
        pg_stmt = (
            select(UnitRow, distance_m)
            .where(*conditions, func.ST_DWithin(there, here, radius_m))
            .order_by(distance_m, UnitRow.id)
        )
        return [(row, float(d)) for row, d in session.execute(pg_stmt).all()]
    stmt = select(UnitRow).where(*conditions)
    found = []
    for row in session.scalars(stmt):
        assert row.last_position is not None  # filtered in SQL
        d = great_circle_m(center, row.last_position)
        if d <= radius_m:
            found.append((row, d))
    return sorted(found, key=lambda pair: (pair[1], pair[0].id))


# --- seeding ----------------------------------------------------------------------------------------


def import_fleet(session: Session, *, fleet: Fleet, at: datetime) -> tuple[int, int]:
    """Add the stations and units of ``fleet`` that are not in the database yet.

    Existing stations get the file's name, agency, location and note (positions get surveyed over
    time); existing units are left alone, so re-importing never resets a live status.

    Returns
    -------
    tuple[int, int]
        Number of stations and of units inserted.
    """
    new_stations = 0
    for station in fleet.stations:
        row = session.get(StationRow, station.id)
        if row is None:
            create_station(session, station=station)
            new_stations += 1
        else:
            row.name, row.agency, row.location = station.name, station.agency, station.location
            row.approximate, row.note = station.approximate, station.note
    new_units = 0
    for unit in fleet.units:
        existing = session.get(UnitRow, unit.id)
        device = fleet.devices.get(unit.id)
        if existing is None:
            create_unit(session, unit=unit, at=at, device_id=device)
            new_units += 1
        elif device is not None and existing.device_id is None:  # a device is added, never replaced
            set_unit_device(session, unit_id=unit.id, device_id=device)
    session.flush()
    log.info("fleet import: %d new stations, %d new units", new_stations, new_units)
    return new_stations, new_units
