# ruff: noqa: F811 - the engine fixture imported from storage_fixtures is redefined as a parameter
"""Repositories on a real PostGIS database and on a SQLite file, with the same tests.

Each test gets its own database: on PostgreSQL a clone of a template migrated once per session, on
SQLite a fresh migrated file in ``tmp_path``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType, outstanding_needs
from dispatch_geo.domain.units import Agency, Station, UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import ConflictError, InputError, InvalidTransition, NotFoundError
from dispatch_geo.storage import fleet_repo, incident_repo, position_repo
from dispatch_geo.storage.engine import make_session_factory
from dispatch_geo.storage.models import AssignmentRow, IncidentRow, PositionFixRow, UnitStatusChangeRow
from dispatch_geo.storage.position_repo import PositionFixRecord
from tests.integration.storage_fixtures import FLEET_CSV, engine, migrated_template  # noqa: F401 - fixtures

T0 = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
SIAK_TOWN = LonLat(102.05, 0.80)
PERAWANG = LonLat(101.5953, 0.6662)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The shipped Siak fleet imported (35 posts, 48 units), committed."""
    with make_session_factory(engine).begin() as session:
        assert fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=T0) == (35, 48)
    return engine


def _count(engine: Engine, model: type[object]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_fleet_import_round_trip_and_reimport_keeps_live_status(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    with sessions.begin() as session:
        fleet_repo.change_unit_status(
            session, unit_id="DMK-TLG-01", new_status=UnitStatus.OUT_OF_SERVICE, at=T0, by="op"
        )
    with sessions.begin() as session:
        assert fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=T0) == (0, 0)
    with sessions() as session:
        station = fleet_repo.get_station(session, station_id="damkar-tualang").to_domain()
        assert station.location == LonLat(101.595306, 0.666155)
        assert station.approximate
        assert fleet_repo.get_unit(session, unit_id="DMK-TLG-01").status is UnitStatus.OUT_OF_SERVICE
        assert len(fleet_repo.list_units(session)) == 48
        ambulances = fleet_repo.list_units(session, unit_type=UnitType.AMBULANCE, status=UnitStatus.AVAILABLE)
        assert len(ambulances) == 16
        police = fleet_repo.list_units(session, unit_type=[UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE])
        assert {u.unit_type for u in police} == {UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE}
        assert len(fleet_repo.list_stations(session, agency=Agency.POLSEK)) == 13
        with pytest.raises(NotFoundError, match="unit 'AMB-NOPE-01' does not exist"):
            fleet_repo.get_unit(session, unit_id="AMB-NOPE-01")


def test_unit_position_round_trip_newest_fix_wins(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    fix = LonLat(102.0512345678, 0.8012345678)
    with sessions.begin() as session:
        snapped = fleet_repo.SnappedEdge(
            u=4_000_000_001, v=4_000_000_002, key=0, offset_m=12.5, distance_m=3.0
        )
        stored = fleet_repo.update_unit_position(
            session, unit_id="AMB-SIAK-01", position=fix, fix_time=T0, speed_kph=42.0, snapped=snapped
        )
        assert stored
        # A late, older fix flushed from a phone queue must not move the unit back.
        assert not fleet_repo.update_unit_position(
            session, unit_id="AMB-SIAK-01", position=SIAK_TOWN, fix_time=T0 - timedelta(minutes=5)
        )
        fleet_repo.update_unit_position(session, unit_id="AMB-TLG-01", position=PERAWANG, fix_time=T0)
        with pytest.raises(NotFoundError):
            fleet_repo.update_unit_position(session, unit_id="AMB-NOPE-01", position=fix, fix_time=T0)
    with sessions() as session:
        unit = fleet_repo.get_unit(session, unit_id="AMB-SIAK-01")
        assert unit.last_position == fix
        assert unit.last_fix_time == T0
        assert unit.last_fix_time.tzinfo is not None
        assert (unit.snapped_edge_u, unit.snapped_edge_v, unit.last_speed_kph) == (
            4_000_000_001,
            4_000_000_002,
            42.0,
        )
        near = fleet_repo.units_within(session, center=SIAK_TOWN, radius_m=60_000)
        assert [u.id for u, _ in near] == ["AMB-SIAK-01", "AMB-TLG-01"]
        assert near[0][1] == pytest.approx(193.7, rel=0.005)  # metres between the fix and the town point
        assert near[1][1] == pytest.approx(52_730, rel=0.005)
        assert (
            fleet_repo.units_within(session, center=SIAK_TOWN, radius_m=1_000, status=UnitStatus.DISPATCHED)
            == []
        )
        if seeded.dialect.name == "postgresql":
            wkt = session.execute(text("SELECT ST_AsText(last_position) FROM units WHERE id = 'AMB-SIAK-01'"))
            assert wkt.scalar_one() == "POINT(102.0512345678 0.8012345678)"


def test_incident_assignment_lifecycle(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    with sessions.begin() as session:
        incident = incident_repo.create_incident(
            session,
            incident_type=IncidentType.TRAFFIC_ACCIDENT,
            priority=1,
            location=LonLat(102.06, 0.79),
            created_at=T0,
            created_by="op-1",
            caller_phone="+6281234567890",
            description="motor vs truck, 2 injured",
            desa_kode="14.08.01.1001",
            desa_nama="Kampung Dalam",
        )
        incident_id = incident.id
        incident_repo.record_recommendation(
            session,
            incident_id=incident_id,
            offered=[
                {"unit_id": "AMB-SIAK-01", "travel_time_s": 250.5},
                {"unit_id": "AMB-SIAK-02", "travel_time_s": 260.0},
            ],
            chosen_unit_id="AMB-SIAK-01",
            by="op-1",
            at=T0,
        )
        incident_repo.assign_unit(session, incident_id=incident_id, unit_id="AMB-SIAK-01", at=T0, by="op-1")
    with sessions.begin() as session:
        assert (
            incident_repo.get_incident(session, incident_id=incident_id).status is IncidentStatus.DISPATCHED
        )
        types = [u.unit_type for u in incident_repo.assigned_units(session, incident_id=incident_id)]
        needs = outstanding_needs(IncidentType.TRAFFIC_ACCIDENT, types)
        assert [n.unit_types for n in needs] == [frozenset({UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE})]
        incident_repo.assign_unit(session, incident_id=incident_id, unit_id="POL-SIAK-03", at=T0, by="op-1")
        other = incident_repo.create_incident(
            session,
            incident_type="medical",
            priority="2",
            location=SIAK_TOWN,
            created_at=T0,
            created_by="op-2",
        )
        with pytest.raises(InvalidTransition, match="cannot go from dispatched to dispatched"):
            incident_repo.assign_unit(session, incident_id=other.id, unit_id="AMB-SIAK-01", at=T0, by="op-2")
    later = T0 + timedelta(minutes=40)
    with sessions.begin() as session:
        for status in ("en_route", "on_scene", "transporting", "at_hospital", "returning"):
            fleet_repo.change_unit_status(
                session, unit_id="AMB-SIAK-01", new_status=UnitStatus(status), at=later, by="AMB-SIAK-01"
            )
        incident_repo.change_incident_status(
            session, incident_id=incident_id, new_status=IncidentStatus.ON_SCENE, at=later
        )
        incident_repo.release_assignment(session, incident_id=incident_id, unit_id="AMB-SIAK-01", at=later)
        incident_repo.change_incident_status(
            session, incident_id=incident_id, new_status=IncidentStatus.CLOSED, at=later
        )
        with pytest.raises(ConflictError, match="is closed"):
            incident_repo.assign_unit(
                session, incident_id=incident_id, unit_id="AMB-SIAK-02", at=later, by="op"
            )
    with sessions() as session:
        closed = incident_repo.get_incident(session, incident_id=incident_id)
        assert (closed.status, closed.closed_at, closed.caller_phone) == (
            IncidentStatus.CLOSED,
            later,
            "+6281234567890",
        )
        trail = fleet_repo.list_status_changes(session, unit_id="AMB-SIAK-01")
        assert [c.to_status.value for c in trail] == [
            "dispatched",
            "en_route",
            "on_scene",
            "transporting",
            "at_hospital",
            "returning",
        ]
        assert trail[0].incident_id == incident_id
        assert [
            a.unit_id
            for a in incident_repo.list_assignments(session, incident_id=incident_id, open_only=True)
        ] == ["POL-SIAK-03"]
        audit = incident_repo.list_recommendations(session, incident_id=incident_id)
        assert audit[0].offered[0] == {"unit_id": "AMB-SIAK-01", "travel_time_s": 250.5}
        assert audit[0].chosen_unit_id == "AMB-SIAK-01"
        open_medical = incident_repo.list_incidents(
            session, status=[IncidentStatus.NEW], incident_type=IncidentType.MEDICAL
        )
        assert [i.priority for i in open_medical] == [2]
        assert incident_repo.list_incidents(session, priority=1, status=IncidentStatus.NEW) == []


def test_bad_input_is_refused_before_anything_is_written(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    with sessions.begin() as session:
        with pytest.raises(InputError, match="priority 7 is invalid"):
            incident_repo.create_incident(
                session,
                incident_type=IncidentType.FIRE,
                priority=7,
                location=SIAK_TOWN,
                created_at=T0,
                created_by="op",
            )
        with pytest.raises(InputError, match="incident type 'alien_landing' is unknown"):
            incident_repo.create_incident(
                session,
                incident_type="alien_landing",
                priority=1,
                location=SIAK_TOWN,
                created_at=T0,
                created_by="op",
            )
    assert _count(seeded, IncidentRow) == 0


def test_failing_transaction_leaves_nothing_half_written(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    # The service creates an incident and dispatches a unit that turns out to be out of service.
    with sessions.begin() as session:
        fleet_repo.change_unit_status(
            session, unit_id="DMK-SIAK-01", new_status=UnitStatus.OUT_OF_SERVICE, at=T0, by="op"
        )

    def fire_call_with_broken_engine() -> None:
        with sessions.begin() as session:
            incident = incident_repo.create_incident(
                session,
                incident_type=IncidentType.FIRE,
                priority=1,
                location=SIAK_TOWN,
                created_at=T0,
                created_by="op",
            )
            incident_repo.assign_unit(session, incident_id=incident.id, unit_id="DMK-SIAK-02", at=T0, by="op")
            incident_repo.assign_unit(session, incident_id=incident.id, unit_id="DMK-SIAK-01", at=T0, by="op")

    with pytest.raises(InvalidTransition, match="allowed from out_of_service: available"):
        fire_call_with_broken_engine()
    assert _count(seeded, IncidentRow) == 0
    assert _count(seeded, AssignmentRow) == 0
    with sessions() as session:
        assert fleet_repo.get_unit(session, unit_id="DMK-SIAK-02").status is UnitStatus.AVAILABLE

    # A database constraint firing mid-transaction rolls back the earlier writes too.
    def incident_then_constraint_violation() -> None:
        with sessions.begin() as session:
            incident = incident_repo.create_incident(
                session,
                incident_type=IncidentType.FIRE,
                priority=1,
                location=SIAK_TOWN,
                created_at=T0,
                created_by="op",
            )
            session.execute(text("UPDATE incidents SET priority = 9 WHERE id = :id"), {"id": incident.id})

    with pytest.raises(IntegrityError, match="ck_incidents_priority_range"):
        incident_then_constraint_violation()
    assert _count(seeded, IncidentRow) == 0
    # A batch of fixes with one bad record stores none of them.
    good = PositionFixRecord("dev-1", T0, T0, SIAK_TOWN, "owntracks")
    naive = PositionFixRecord("dev-1", datetime(2025, 3, 1, 1, 1), T0, SIAK_TOWN, "owntracks")  # noqa: DTZ001
    with pytest.raises(InputError, match="no timezone"), sessions.begin() as session:
        position_repo.add_position_fixes(session, fixes=[good, naive])
    assert _count(seeded, PositionFixRow) == 0


def test_duplicate_station_is_a_conflict_and_the_transaction_stays_usable(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    station = Station("damkar-siak", "Dup", Agency.DAMKAR, SIAK_TOWN, approximate=True)
    with sessions.begin() as session:
        incident_repo.create_incident(
            session,
            incident_type=IncidentType.CRIME,
            priority=2,
            location=SIAK_TOWN,
            created_at=T0,
            created_by="op",
        )
        with pytest.raises(ConflictError, match="station damkar-siak could not be created"):
            fleet_repo.create_station(session, station=station)
    assert _count(seeded, IncidentRow) == 1


def test_position_fix_batches_ignore_replayed_fixes(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    fixes = [
        PositionFixRecord(
            device_id="phone-amb-siak-01",
            unit_id="AMB-SIAK-01",
            fix_time=T0 + timedelta(seconds=10 * i),
            received_at=T0 + timedelta(seconds=10 * i + 2),
            position=LonLat(102.05 + i * 1e-4, 0.80),
            source_protocol="owntracks",
            speed_kph=36.0,
            course_deg=90.0,
            accuracy_m=8.0,
            flags=("late",) if i == 3 else (),
        )
        for i in range(300)
    ]
    with sessions.begin() as session:
        position_repo.add_position_fixes(session, fixes=fixes)
    with sessions.begin() as session:  # the phone replays its queue: nothing is stored twice
        position_repo.add_position_fixes(session, fixes=list(reversed(fixes[:50])))
    assert _count(seeded, PositionFixRow) == 300
    with sessions() as session:
        window = position_repo.list_position_fixes(
            session, unit_id="AMB-SIAK-01", since=T0 + timedelta(seconds=20), until=T0 + timedelta(seconds=50)
        )
        assert [f.fix_time for f in window] == [T0 + timedelta(seconds=s) for s in (20, 30, 40)]
        assert window[1].flags == ["late"]
        assert window[0].position == LonLat(102.0502, 0.80)
        latest = position_repo.latest_fix(session, device_id="phone-amb-siak-01")
        assert latest is not None
        assert latest.fix_time == T0 + timedelta(seconds=2990)
        assert position_repo.latest_fix(session, device_id="unknown") is None


def test_twenty_dispatchers_racing_for_one_unit_exactly_one_wins(seeded: Engine) -> None:
    sessions = make_session_factory(seeded)
    racers = 20
    with sessions.begin() as session:
        incident_ids = [
            incident_repo.create_incident(
                session,
                incident_type=IncidentType.MEDICAL,
                priority=1,
                location=SIAK_TOWN,
                created_at=T0,
                created_by="op",
            ).id
            for _ in range(racers)
        ]
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def dispatch(incident_id: int) -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                incident_repo.assign_unit(
                    session, incident_id=incident_id, unit_id="AMB-SIAK-01", at=T0, by=f"op-{incident_id}"
                )
            outcome = "won"
        except InvalidTransition:
            outcome = "conflict"
        except Exception as exc:
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=dispatch, args=(i,)) for i in incident_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["conflict"] * (racers - 1) + ["won"]
    assert _count(seeded, AssignmentRow) == 1
    assert _count(seeded, UnitStatusChangeRow) == 1
    with sessions() as session:
        (assignment,) = incident_repo.list_assignments(session, unit_id="AMB-SIAK-01")
        dispatched = incident_repo.list_incidents(session, status=IncidentStatus.DISPATCHED)
        assert [i.id for i in dispatched] == [assignment.incident_id]
        assert fleet_repo.get_unit(session, unit_id="AMB-SIAK-01").status is UnitStatus.DISPATCHED
