"""The ingest writer's one-statement batches against a real PostGIS: history, last positions, refusals."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.fleet_repo import PositionUpdate, SnappedEdge, get_unit
from dispatch_geo.storage.ingest_repo import store_batch_postgresql
from dispatch_geo.storage.models import PositionFixRow
from dispatch_geo.storage.position_repo import PositionFixRecord
from tests.integration.test_ingest_mqtt import SIAK, seed, wait_for
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.writer import BatchWriter

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def record(second: int, *, unit: str = "AMB-SIAK-01", device: str = "amb-siak-01/phone") -> PositionFixRecord:
    return PositionFixRecord(
        device_id=device,
        fix_time=T0 + timedelta(seconds=second),
        received_at=T0 + timedelta(seconds=second, milliseconds=300),
        position=LonLat(SIAK.lon + second * 0.0001, SIAK.lat),
        source_protocol="owntracks",
        unit_id=unit,
        speed_kph=36.0 if second % 2 else None,
        course_deg=90.0,
        accuracy_m=8.0,
        flags=("low_accuracy",) if second == 3 else (),
    )


def update(rec: PositionFixRecord, snapped: SnappedEdge | None = None) -> PositionUpdate:
    assert rec.unit_id is not None
    return PositionUpdate(
        unit_id=rec.unit_id,
        position=rec.position,
        fix_time=rec.fix_time,
        speed_kph=rec.speed_kph,
        course_deg=rec.course_deg,
        snapped=snapped,
    )


def test_one_statement_stores_history_and_moves_units_only_forward(pg_url):
    factory = seed(pg_url)
    edge = SnappedEdge(u=9_000_000_001, v=9_000_000_002, key=0, offset_m=12.5, distance_m=3.0)
    with factory() as session:
        raw = session.connection().connection.driver_connection
        raw.commit()
        raw.autocommit = True
        batch = [record(s) for s in range(5)]
        moved = store_batch_postgresql(raw, fixes=batch, updates=[update(batch[-1], edge)])
        assert moved == 1
        # a replay of stored fixes plus a late fix: nothing duplicated, the unit does not move back
        late = record(2, device="amb-siak-01/phone")
        again = store_batch_postgresql(raw, fixes=[*batch, late], updates=[update(record(1))])
        assert again == 0
    with factory() as session:
        rows = session.scalars(select(PositionFixRow).order_by(PositionFixRow.fix_time)).all()
        assert [r.fix_time for r in rows] == [T0 + timedelta(seconds=s) for s in range(5)]
        assert rows[3].flags == ["low_accuracy"]
        assert rows[0].flags == []
        assert rows[1].speed_kph == 36.0
        assert rows[0].speed_kph is None
        assert rows[4].position == batch[4].position
        unit = get_unit(session, unit_id="AMB-SIAK-01")
        assert unit.last_fix_time == T0 + timedelta(seconds=4)
        assert unit.last_position == batch[4].position
        assert unit.snapped_edge_u == 9_000_000_001
        assert unit.snapped_offset_m == 12.5


def test_a_fix_the_database_refuses_is_dropped_and_counted_the_rest_are_stored(pg_url):
    factory = seed(pg_url)
    metrics = IngestMetrics()
    writer = BatchWriter(factory, metrics, max_wait_s=0.001)
    good = [record(s) for s in range(6)]
    orphan = record(10, unit="AMB-GONE-99", device="amb-gone-99/phone")  # unit deleted meanwhile
    for rec in [*good[:3], orphan, *good[3:]]:
        writer.submit(rec, latest=True)
    writer.start()
    wait_for(lambda: writer.depth == 0, timeout_s=30)
    writer.stop()
    with factory() as session:
        stored = session.scalars(select(PositionFixRow.device_id)).all()
        assert sorted(stored) == ["amb-siak-01/phone"] * 6
        assert get_unit(session, unit_id="AMB-SIAK-01").last_fix_time == T0 + timedelta(seconds=5)
    assert (
        metrics.value("siaga_ingest_rejected_total", {"source": "owntracks", "reason": "write_refused"}) == 1
    )
    assert metrics.value("siaga_ingest_written_total") == 7  # six stored, one refused: all handled


def test_writer_waits_briefly_to_batch_but_a_lone_fix_is_written_promptly(pg_url):
    factory = seed(pg_url)
    metrics = IngestMetrics()
    batches: list[int] = []
    writer = BatchWriter(factory, metrics, max_wait_s=0.05, min_batch=100)
    writer.on_commit = lambda records: batches.append(len(records))
    writer.start()
    try:
        for s in range(40):
            writer.submit(record(s), latest=True)
        wait_for(lambda: sum(batches) == 40, timeout_s=30)
        submitted = time.monotonic()
        writer.submit(record(100), latest=True)
        wait_for(lambda: sum(batches) == 41, timeout_s=30)
        lone_latency_s = time.monotonic() - submitted
    finally:
        writer.stop()
    assert batches[0] == 40, f"fixes arriving together are written together: {batches}"
    assert lone_latency_s < 5, "a lone fix does not wait for a full batch"
