"""One ingest worker: registry + pipeline + batch writer + MQTT client, started and stopped together."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.geofence import GeofenceRule, check_geofences
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.storage import device_repo
from tracking.filters import FilterConfig
from tracking.ingest.health import flush_device_health
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.mqtt import MqttIngest, MqttSettings
from tracking.ingest.pipeline import IngestPipeline
from tracking.ingest.receiver import ProcessMqttIngest
from tracking.ingest.registry import DeviceRegistry
from tracking.ingest.writer import BatchWriter
from tracking.state import stale_units

log = logging.getLogger(__name__)


def units_by_device(session_factory: Callable[[], Session]) -> Callable[[], dict[str, str]]:
    """A registry loader reading the device pairing from the units table."""

    def load() -> dict[str, str]:
        with session_factory() as session:
            return device_repo.pairing(session)

    return load


def flush_unknown_devices(session_factory: Callable[[], Session], registry: DeviceRegistry) -> int:
    """Add the registry's recent sightings of unpaired devices to the database's list (all processes
    share it); returns how many devices were written. A failed write is logged and dropped: the list
    is for an admin's eyes, the counts are in the metrics too."""
    sightings = registry.drain_unknown()
    if not sightings:
        return 0
    try:
        with session_factory() as session, session.begin():
            device_repo.record_unknown(session, sightings=sightings)
    except Exception as exc:  # database down or a concurrent insert: the admin list misses a beat
        log.warning("could not record %d unknown devices: %s", len(sightings), exc)
        return 0
    return len(sightings)


class IngestService:
    """A complete ingest worker. Several may run against one broker (shared subscription) and one database.

    With ``receiver_process`` the MQTT client runs in a child process of its own
    (:mod:`tracking.ingest.receiver`), so one worker uses two cores; otherwise everything runs in this
    process (the demo, which has an in-process broker, and tests of the single-process path).
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        mqtt_settings: MqttSettings,
        *,
        filters: FilterConfig | None = None,
        snapper: EdgeSnapper | None = None,
        stale_after_s: float = 120.0,
        registry_refresh_s: float = 30.0,
        max_buffer: int = 200_000,
        receiver_process: bool = False,
        geofence: GeofenceRule | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.metrics = IngestMetrics()
        self.registry = DeviceRegistry(units_by_device(session_factory))
        self.pipeline = IngestPipeline(self.registry, self.metrics, filters)
        self.writer = BatchWriter(session_factory, self.metrics, snapper=snapper, max_buffer=max_buffer)
        self.mqtt: MqttIngest | ProcessMqttIngest = (
            ProcessMqttIngest(mqtt_settings, self.pipeline, self.writer)
            if receiver_process
            else MqttIngest(mqtt_settings, self.pipeline, self.writer)
        )
        self.stale_after_s = stale_after_s
        self.registry_refresh_s = registry_refresh_s
        self.geofence = geofence
        self._geofence_checked: dict[str, tuple[object, ...]] = {}
        self._timer_stop = threading.Event()
        self._timer: threading.Thread | None = None

    def start(self) -> None:
        self.writer.start()
        self.mqtt.start()
        self._timer_stop.clear()
        self._timer = threading.Thread(target=self._housekeeping, name="siaga-ingest-timer", daemon=True)
        self._timer.start()

    def stop(self) -> None:
        self._timer_stop.set()
        self.mqtt.stop()
        self.writer.stop()
        flush_unknown_devices(self._session_factory, self.registry)
        flush_device_health(self._session_factory, self.pipeline.health, now=datetime.now(UTC))

    def _housekeeping(self) -> None:
        """Server-side staleness timer and registry refresh (do not rely on MQTT Last Will)."""
        elapsed = 0.0
        while not self._timer_stop.wait(1.0):
            elapsed += 1.0
            stale = stale_units(self.pipeline.state, datetime.now(UTC), self.stale_after_s)
            self.metrics.stale_units.set(len(stale))
            self.metrics.mqtt_connected.set(1 if self.mqtt.connected.is_set() else 0)
            flush_unknown_devices(self._session_factory, self.registry)
            flush_device_health(self._session_factory, self.pipeline.health, now=datetime.now(UTC))
            self._check_geofences()
            if elapsed >= self.registry_refresh_s:
                elapsed = 0.0
                try:
                    self.registry.refresh()
                except Exception as exc:  # database down: keep the old pairing
                    log.warning("device registry refresh failed: %s", exc)

    def _check_geofences(self) -> None:
        """Arrivals noticed from stored positions (:mod:`dispatch_geo.dispatch.geofence`); every worker
        may run it: a unit another worker (or a person) changed first is left as it is."""
        if self.geofence is None:
            return
        try:
            check_geofences(
                self._session_factory,
                rule=self.geofence,
                now=datetime.now(UTC),
                checked=self._geofence_checked,
            )
        except Exception as exc:  # database down: the next tick tries again
            log.warning("geofence check failed: %s", exc)
