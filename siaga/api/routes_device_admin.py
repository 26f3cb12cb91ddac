"""Devices an operator manages at any time: remove a unit's device, print a device's set-up sheet.

Attaching or replacing a unit's device is ``POST /devices`` (the unit's previous device loses its
credential); removing it is ``DELETE /units/{unit_id}/device``. The set-up sheet carries the secret,
which the server keeps only as hashes, so printing one issues a new secret (the old one stops working).
Admin only for now (a supervisor role is coming: see the issue 13 report).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import WIB
from dispatch_geo.storage import device_health_repo, device_repo, fleet_repo
from siaga.api import schemas
from siaga.api.deps import AdminDep, DispatcherDep, SessionDep, StateDep, now_utc
from siaga.api.routes_console import page_with_config
from siaga.api.routes_devices import LoginPath
from siaga.setup_sheet import sheet_html

router = APIRouter(tags=["devices"])
page = APIRouter()


class DeviceAlert(BaseModel):
    code: str = Field(description="device_silent | device_never_seen")
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


@page.get("/devices", response_class=HTMLResponse, include_in_schema=False)
def devices_page(state: StateDep) -> HTMLResponse:
    config = {
        "demoToken": "demo-admin-token" if state.settings.demo_tokens_enabled else "",
        "silentAfterS": state.settings.device_silent_after_s,
    }
    return page_with_config("devices.html", config)


@router.get(
    "/devices/health",
    response_model=list[DeviceHealthOut],
    summary="Every paired device: last seen, app, fixes today, and alerts (silent on duty) "
    "(dispatchers and admins: the console warns of silent phones)",
)
def device_health(session: SessionDep, state: StateDep, _: DispatcherDep) -> list[DeviceHealthOut]:
    now = now_utc()
    midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    today = device_health_repo.fixes_since(session, since=midnight)
    limit_s = state.settings.device_silent_after_s
    out = []
    for info in device_repo.list_devices(session):
        unit = fleet_repo.get_unit(session, unit_id=info.unit_id)
        stats = today.get(info.unit_id)
        alerts = []
        if unit.status != UnitStatus.OUT_OF_SERVICE:  # on duty: its phone should report
            if unit.last_fix_time is None:
                alerts.append(DeviceAlert(code="device_never_seen"))
            elif (age_s := (now - unit.last_fix_time).total_seconds()) > limit_s:
                alerts.append(
                    DeviceAlert(
                        code="device_silent",
                        params={"minutes": round(age_s / 60), "limit_min": round(limit_s / 60)},
                    )
                )
        out.append(
            DeviceHealthOut(
                login=info.login,
                device_id=info.device_id,
                unit_id=info.unit_id,
                unit_status=unit.status,
                has_credential=info.has_credential,
                last_fix_time=unit.last_fix_time,
                last_received_at=stats.last_received_at if stats else None,
                app=stats.last_protocol if stats else None,
                fixes_today=stats.count if stats else 0,
                alerts=alerts,
            )
        )
    return out


@router.delete(
    "/units/{unit_id}/device",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a unit's device: unpaired, its credential revoked (admin)",
)
def remove_device(unit_id: schemas.UnitIdPath, session: SessionDep, _: AdminDep) -> Response:
    device_repo.unpair_device(session, unit_id=unit_id, at=now_utc())
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/devices/{login}/setup-sheet",
    response_class=HTMLResponse,
    summary="A printable set-up sheet with a QR code for OwnTracks; issues a new secret (admin)",
    responses={200: {"content": {"text/html": {}}, "description": "the sheet (save and print it)"}},
)
def setup_sheet(login: LoginPath, request: Request, session: SessionDep, who: AdminDep) -> HTMLResponse:
    now = now_utc()
    info, secret = device_repo.rotate_credential(session, login=login, at=now, by=who.name)
    session.commit()
    server = str(request.base_url).rstrip("/")
    return HTMLResponse(
        sheet_html(info, secret, server=server, issued_at=now),
        headers={
            "Content-Disposition": f'attachment; filename="siaga-setup-{login}.html"',
            "Cache-Control": "no-store",
        },
    )
