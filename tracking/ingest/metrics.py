"""Prometheus metrics of one ingest worker (own registry: no global state, several workers per process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class IngestMetrics:
    """Counters and gauges exported at ``/metrics`` in the Prometheus text format."""

    def __init__(self, worker: str = "ingest") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.received = Counter("siaga_ingest_received", "Messages received", ["source"], registry=reg)
        self.accepted = Counter("siaga_ingest_accepted", "Fixes accepted", ["source"], registry=reg)
        self.rejected = Counter(
            "siaga_ingest_rejected",
            "Messages or fixes rejected, by reason",
            ["source", "reason"],
            registry=reg,
        )
        self.ignored = Counter(
            "siaga_ingest_ignored", "Well-formed messages without a position", ["kind"], registry=reg
        )
        self.late = Counter(
            "siaga_ingest_late", "Accepted fixes older than the unit's last known fix", registry=reg
        )
        self.flagged = Counter(
            "siaga_ingest_flagged", "Accepted fixes carrying a flag", ["flag"], registry=reg
        )
        self.written = Counter("siaga_ingest_written", "Fixes written to the database", registry=reg)
        self.write_errors = Counter(
            "siaga_ingest_write_errors", "Failed database flushes (retried)", registry=reg
        )
        self.dropped = Counter(
            "siaga_ingest_buffer_dropped", "Fixes lost because the write buffer was full", registry=reg
        )
        self.errors = Counter(
            "siaga_ingest_errors", "Unexpected errors while handling a message", registry=reg
        )
        self.receiver_restarts = Counter(
            "siaga_ingest_receiver_restarts",
            "Times the MQTT receiver process died and was restarted",
            registry=reg,
        )
        self.mqtt_connected = Gauge(
            "siaga_ingest_mqtt_connected", "1 while the worker is connected to the MQTT broker", registry=reg
        )
        self.buffer_depth = Gauge("siaga_ingest_buffer_depth", "Fixes waiting to be written", registry=reg)
        self.stale_units = Gauge(
            "siaga_ingest_stale_units", "Units whose last fix is older than the limit", registry=reg
        )
        self.lag = Histogram(
            "siaga_ingest_lag_seconds",
            "From receiving a fix to its database commit",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=reg,
        )
        self.fix_delay = Histogram(
            "siaga_ingest_fix_delay_seconds",
            "From the GPS fix time to receiving it (device queues, network)",
            buckets=(1, 2, 5, 10, 30, 60, 300, 900, 3600),
            registry=reg,
        )

        self._received_by_source: dict[str, Counter] = {}
        self._accepted_by_source: dict[str, Counter] = {}

    def count_received(self, source: str) -> None:
        """``received{source}`` += 1, with the labelled child looked up once per source (hot path)."""
        child = self._received_by_source.get(source)
        if child is None:
            child = self._received_by_source[source] = self.received.labels(source)
        child.inc()

    def count_accepted(self, source: str) -> None:
        """``accepted{source}`` += 1 (as :meth:`count_received`)."""
        child = self._accepted_by_source.get(source)
        if child is None:
            child = self._accepted_by_source[source] = self.accepted.labels(source)
        child.inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """Current value of one sample (for tests and the CLI), 0 when never set."""
        found = self.registry.get_sample_value(name, labels or {})
        return float(found) if found is not None else 0.0
