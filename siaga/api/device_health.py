"""The device health screen: what each unit's phone reports and the alerts it raises.

Alerts (codes the console translates), for on-duty units only (not out of service):

- ``device_never_seen`` / ``device_silent``: nothing received for ``device_silent_after_s``;
- ``device_battery_low``: the last reported battery is under ``device_battery_low_pct``;
- ``device_clock_off``: the newest message's fix time is ahead of the server's clock by more than
  ``device_clock_ahead_s`` (such fixes are rejected as ``future_fix`` past the ingest filter's limit).

The API process's own ingest (HTTP devices) flushes its health totals every second while it runs
(:func:`keep_health_flushed`), the MQTT workers in their housekeeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import WIB
from dispatch_geo.storage import device_health_repo, device_repo, fleet_repo
from dispatch_geo.storage.health_models import DeviceHealthRow
from siaga.api.deps import AppState
from siaga.settings import Settings
from tracking.ingest.health import HealthTracker, flush_device_health

FLUSH_EVERY_S = 1.0


class DeviceAlert(BaseModel):
    code: str = Field(description="device_silent | device_never_seen | device_battery_low | device_clock_off")
    params: dict[str, object] = Field(default_factory=dict)


class DeviceHealthOut(BaseModel):
    login: str
    device_id: str
    unit_id: str
    unit_status: UnitStatus
    has_credential: bool
    last_fix_time: datetime | None
    last_received_at: datetime | None = Field(description="when the last fix of today reached the server")
    app: str | None = Field(description="protocol of today's last fix: owntracks, traccar, api…")
    fixes_today: int = Field(description="fixes stored since midnight WIB (accepted ones only)")
    alerts: list[DeviceAlert]
    battery_pct: float | None = Field(default=None, description="last battery level the device reported")
    battery_at: datetime | None = Field(default=None, description="when that battery level was received")
    clock_ahead_s: float | None = Field(
        default=None, description="newest message's fix time minus server time (> 0: device clock ahead)"
    )
    fixes_rejected_today: int = Field(
        default=0, description="messages of this device rejected since midnight WIB"
    )
    last_rejection_reason: str | None = Field(default=None, description="filter code: future_fix, jump…")
    last_rejection_at: datetime | None = None


def device_alerts(
    *,
    status: UnitStatus,
    last_fix_time: datetime | None,
    health: DeviceHealthRow | None,
    settings: Settings,
    now: datetime,
) -> list[DeviceAlert]:
    """The alerts of one unit's device (none while the unit is out of service)."""
    if status == UnitStatus.OUT_OF_SERVICE:
        return []
    alerts = []
    limit_s = settings.device_silent_after_s
    if last_fix_time is None:
        alerts.append(DeviceAlert(code="device_never_seen"))
    elif (age_s := (now - last_fix_time).total_seconds()) > limit_s:
        params: dict[str, object] = {"minutes": round(age_s / 60), "limit_min": round(limit_s / 60)}
        alerts.append(DeviceAlert(code="device_silent", params=params))
    if health is None:
        return alerts
    low = settings.device_battery_low_pct
    if health.battery_pct is not None and health.battery_pct < low:
        params = {"pct": round(health.battery_pct), "limit_pct": round(low)}
        alerts.append(DeviceAlert(code="device_battery_low", params=params))
    if health.clock_ahead_s is not None and health.clock_ahead_s > settings.device_clock_ahead_s:
        ahead = round(health.clock_ahead_s)
        alerts.append(DeviceAlert(code="device_clock_off", params={"ahead_s": ahead}))
    return alerts


def health_report(session: Session, *, settings: Settings, now: datetime) -> list[DeviceHealthOut]:
    """Every paired device with its figures and alerts."""
    midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    today = device_health_repo.fixes_since(session, since=midnight)
    health = device_health_repo.health_by_unit(session, day=midnight.date())
    out = []
    for info in device_repo.list_devices(session):
        unit = fleet_repo.get_unit(session, unit_id=info.unit_id)
        stats = today.get(info.unit_id)
        row = health.get(info.unit_id)
        if row is not None and device_repo.login_of(row.device_id) != info.login:
            row = None  # figures of the unit's previous device
        out.append(
            DeviceHealthOut(
                login=info.login,
                device_id=info.device_id,
                unit_id=info.unit_id,
                unit_status=unit.status,
                has_credential=info.has_credential,
                last_fix_time=unit.last_fix_time,
                last_received_at=stats.last_received_at if stats else None,
                app=stats.last_protocol if stats else (row.app if row else None),
                fixes_today=stats.count if stats else 0,
                alerts=device_alerts(
                    status=unit.status,
                    last_fix_time=unit.last_fix_time,
                    health=row,
                    settings=settings,
                    now=now,
                ),
                battery_pct=row.battery_pct if row else None,
                battery_at=row.battery_at if row else None,
                clock_ahead_s=row.clock_ahead_s if row else None,
                fixes_rejected_today=row.rejected_today if row else 0,
                last_rejection_reason=row.last_rejection_reason if row else None,
                last_rejection_at=row.last_rejection_at if row else None,
            )
        )
    return out


def flush_now(state: AppState, tracker: HealthTracker) -> None:
    """Write this process's health totals (before reading the table, and at shutdown)."""
    flush_device_health(state.sessions, tracker, now=datetime.now(UTC))


@contextlib.asynccontextmanager
async def keep_health_flushed(state: AppState, tracker: HealthTracker) -> AsyncIterator[None]:
    """While the app runs, write the HTTP ingest's health totals every second; a last time at the end."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            await asyncio.to_thread(flush_now, state, tracker)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        flush_now(state, tracker)
