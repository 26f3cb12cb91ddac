"""Device-health cost in the ingest pipeline, against the same pipeline without it in the same run.

The MQTT end-to-end figures (``bench/ingest_bench.py``) vary by more than this cost on a shared
machine, so this isolates it: OwnTracks messages of 50 enrolled units (a battery in each, one in ten
dated an hour ahead so it is rejected as ``future_fix``) through :class:`IngestPipeline` in memory,
rounds alternating between the pipeline as shipped (health totals kept per message) and the same
pipeline with a tracker that keeps nothing. Prints messages per second (median of the rounds) and the
ratio shipped / without health.

Usage: ``python bench/health_bench.py [--messages 50000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

from tracking.fix import PositionFix
from tracking.ingest.health import HealthTracker
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.pipeline import IngestPipeline
from tracking.ingest.registry import DeviceRegistry

UNITS = 50


class _NoHealth(HealthTracker):
    def seen(self, fix: PositionFix, *, rejected: str | None = None) -> None:
        return None


def _messages(count: int, start: datetime) -> list[tuple[str, bytes, datetime]]:
    out = []
    for i in range(count):
        unit = i % UNITS
        at = start + timedelta(seconds=i // UNITS)
        ahead = 3600 if i % 10 == 9 else 0
        payload = (
            f'{{"_type":"location","lat":{0.70 + unit * 0.002:.4f},"lon":{102.0 + unit * 0.002:.4f},'
            f'"tst":{int(at.timestamp()) + ahead},"batt":{50 + unit % 40},"tid":"u{unit}"}}'
        )
        out.append((f"owntracks/unit-{unit}/phone", payload.encode(), at))
    return out


def _rate(messages: list[tuple[str, bytes, datetime]], *, health: bool) -> float:
    pairing = {f"unit-{u}/phone": f"U-{u}" for u in range(UNITS)}
    pipeline = IngestPipeline(DeviceRegistry(lambda: pairing), IngestMetrics())
    if not health:
        pipeline.health = _NoHealth()
    started = time.perf_counter()
    for topic, payload, at in messages:
        pipeline.process_mqtt(topic, payload, at)
    elapsed = time.perf_counter() - started
    accepted = pipeline.metrics.value("siaga_ingest_accepted_total", {"source": "owntracks"})
    assert accepted == len(messages) - len(messages) // 10, (
        f"{accepted} accepted: the others are future fixes"
    )
    if health:
        assert len(pipeline.health.drain()) == UNITS, "every unit's health was kept"
    return len(messages) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    messages = _messages(args.messages, datetime.now(UTC) - timedelta(hours=2))
    with_health, without = [], []
    for _ in range(args.rounds):  # alternating, so a busy moment of the machine hits both
        without.append(_rate(messages, health=False))
        with_health.append(_rate(messages, health=True))
    shipped, baseline = statistics.median(with_health), statistics.median(without)
    print(
        json.dumps(
            {
                "benchmark": "device_health_in_pipeline",
                "messages": args.messages,
                "rounds": args.rounds,
                "pipeline_with_health_per_s": round(shipped),
                "pipeline_without_health_per_s": round(baseline),
                "ratio": round(shipped / baseline, 3),
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
