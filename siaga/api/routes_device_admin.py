"""Devices an operator manages at any time: remove a unit's device, print a device's set-up sheet.

Attaching or replacing a unit's device is ``POST /devices`` (the unit's previous device loses its
credential); removing it is ``DELETE /units/{unit_id}/device``. The set-up sheet carries the secret,
which the server keeps only as hashes, so printing one issues a new secret (the old one stops working).
Admin only for now (a supervisor role is coming: see the issue 13 report).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from dispatch_geo.storage import device_repo
from siaga.api import schemas
from siaga.api.deps import AdminDep, DispatcherDep, SessionDep, StateDep, now_utc
from siaga.api.device_health import DeviceHealthOut, flush_now, health_report
from siaga.api.routes_console import page_with_config
from siaga.api.routes_devices import IngestDep, LoginPath, forget_tokens
from siaga.setup_sheet import sheet_html

router = APIRouter(tags=["devices"])
page = APIRouter()


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
    summary="Every paired device: last seen, app, battery, fixes accepted and rejected today, and alerts "
    "(silent on duty, battery low, clock ahead) "
    "(dispatchers and admins: the console warns of silent phones)",
)
def device_health(
    session: SessionDep, state: StateDep, ingest: IngestDep, _: DispatcherDep
) -> list[DeviceHealthOut]:
    flush_now(state, ingest.pipeline.health)  # this process's newest figures first
    return health_report(session, settings=state.settings, now=now_utc())


@router.delete(
    "/units/{unit_id}/device",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a unit's device: unpaired, its credential revoked (admin)",
)
def remove_device(
    unit_id: schemas.UnitIdPath, request: Request, session: SessionDep, _: AdminDep
) -> Response:
    device_repo.unpair_device(session, unit_id=unit_id, at=now_utc())
    session.commit()
    forget_tokens(request)  # the removed phone's secret stops working at once in this process
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
    forget_tokens(request)  # the previous secret stops working at once in this process
    server = str(request.base_url).rstrip("/")
    return HTMLResponse(
        sheet_html(info, secret, server=server, issued_at=now),
        headers={
            "Content-Disposition": f'attachment; filename="siaga-setup-{login}.html"',
            "Cache-Control": "no-store",
        },
    )
