"""The fleet simulator drives on the roads and reports exactly like the OwnTracks app would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch_geo.graph.snap import EdgeSnapper
from tracking.decoders import decode_owntracks
from tracking.filters import FilterConfig, apply_filters
from tracking.fix import Decoded
from tracking.simulator import FleetSimulator, SimConfig

START = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def run(sim: FleetSimulator, steps: int, dt_s: float = 5.0) -> list[tuple[str, bytes, datetime]]:
    out = []
    for k in range(steps):
        now = START + timedelta(seconds=k * dt_s)
        out += [(t, p, now) for t, p in sim.step(now, dt_s)]
    return out


def test_reports_decode_pass_the_filters_and_stay_on_the_roads(siak_grid):
    sim = FleetSimulator(siak_grid, ["amb-01/phone", "dmk-01/phone"], config=SimConfig(gap_probability=0.0))
    messages = run(sim, 120)
    assert len(messages) == 240
    snapper = EdgeSnapper(siak_grid)
    prev = {}
    moved = set()
    for topic, payload, now in messages:
        result = decode_owntracks(payload, topic=topic, received_at=now + timedelta(seconds=1))
        assert isinstance(result, Decoded), result
        fix = result.fix
        verdict = apply_filters(fix, prev.get(fix.device_id), FilterConfig())
        assert verdict.accepted, verdict
        if fix.device_id in prev and fix.position != prev[fix.device_id].position:
            moved.add(fix.device_id)
        prev[fix.device_id] = fix
        assert snapper.snap_one(fix.position).distance_m < 40, "reported positions follow the roads"
    assert moved == {"amb-01/phone", "dmk-01/phone"}


def test_a_reporting_gap_ends_with_a_late_flush_of_queued_fixes(siak_grid):
    sim = FleetSimulator(siak_grid, ["amb-01/phone"], config=SimConfig(gap_probability=1.0, gap_s=30.0))
    messages = run(sim, 20)
    times = [datetime.fromtimestamp(int(p.split(b'"tst": ')[1].split(b",")[0]), UTC) for _, p, _ in messages]
    sent_at = [now for _, _, now in messages]
    late = [s - t for t, s in zip(times, sent_at, strict=True) if s - t >= timedelta(seconds=20)]
    assert late, "queued fixes arrive well after their fix time"
    assert sorted(times) == times, "the queue flushes oldest first"


def test_same_seed_same_drive(siak_grid):
    a = [p for _, p, _ in run(FleetSimulator(siak_grid, ["x/y"], seed=5), 30)]
    b = [p for _, p, _ in run(FleetSimulator(siak_grid, ["x/y"], seed=5), 30)]
    c = [p for _, p, _ in run(FleetSimulator(siak_grid, ["x/y"], seed=6), 30)]
    assert a == b
    assert a != c
