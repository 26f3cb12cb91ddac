"""The pipeline's device-health totals (pure: no database): what the device page will show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch_geo.domain.values import LonLat
from tracking.fix import FixSource, PositionFix
from tracking.ingest.health import HealthTracker

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _fix(
    at: datetime, *, ahead_s: float = 0.0, battery: float | None = None, device: str = "amb/phone"
) -> PositionFix:
    return PositionFix(
        device_id=device,
        position=LonLat(102.04, 0.80),
        fix_time=at + timedelta(seconds=ahead_s),
        received_at=at,
        source=FixSource.OWNTRACKS,
        unit_id="AMB-1",
        battery_pct=battery,
    )


def test_the_newest_reading_wins_and_rejections_are_counted_with_their_last_reason() -> None:
    tracker = HealthTracker()
    tracker.seen(_fix(T0, battery=40))
    tracker.seen(_fix(T0 + timedelta(seconds=10), ahead_s=3600, battery=14), rejected="future_fix")
    tracker.seen(_fix(T0 + timedelta(seconds=20), battery=99), rejected="duplicate")  # old news
    (delta,) = tracker.drain()
    assert (delta.battery_pct, delta.clock_ahead_s) == (14, 3600)
    assert (delta.rejected, delta.last_rejection_reason) == (2, "duplicate")
    assert tracker.drain() == []


def test_a_failed_flush_is_put_back_and_a_new_device_starts_afresh() -> None:
    tracker = HealthTracker()
    tracker.seen(_fix(T0, battery=12), rejected="implausible_jump")
    failed = tracker.drain()
    tracker.seen(_fix(T0 + timedelta(seconds=5)))
    tracker.restore(failed)
    (delta,) = tracker.drain()
    assert (delta.rejected, delta.last_rejection_reason, delta.battery_pct) == (1, "implausible_jump", 12)

    tracker.seen(_fix(T0, battery=12), rejected="future_fix")
    tracker.seen(_fix(T0 + timedelta(seconds=1), device="new/phone"))  # the unit got another phone
    (delta,) = tracker.drain()
    assert (delta.device_id, delta.rejected, delta.battery_pct) == ("new/phone", 0, None)
