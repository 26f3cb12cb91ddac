"""Devices an operator manages: enrolment and credentials, devices seen but not enrolled, device
health, removing a unit's device, a device's set-up sheet.

Attaching or replacing a unit's device is ``POST /devices`` (the unit's previous device loses its
credential); removing it is ``DELETE /units/{unit_id}/device``. The set-up sheet carries the secret,
which the server keeps only as hashes, so printing one issues a new secret (the old one stops working).
Admin only for now (a supervisor role is coming: see the issue 13 report).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import HTMLResponse, Response

from dispatch_geo.storage import device_repo
from dispatch_geo.storage.device_repo import DeviceInfo
from siaga.api import device_schemas as ds
from siaga.api import schemas
from siaga.api.deps import AdminDep, DispatcherDep, SessionDep, StateDep, now_utc
from siaga.api.device_health import DeviceHealthOut, flush_now, health_report
from siaga.api.routes_console import page_with_config
from siaga.api.routes_devices import IngestDep
from siaga.setup_sheet import sheet_html

router = APIRouter(tags=["devices"])
page = APIRouter()


# -- enrolment and credentials (admin) ---------------------------------------------------------------


def _device_out(info: DeviceInfo) -> ds.DeviceOut:
    return ds.DeviceOut(**info.__dict__)


def _credential_out(request: Request, info: DeviceInfo, secret: str) -> ds.DeviceCredentialOut:
    base = str(request.base_url).rstrip("/")
    host = request.url.hostname or "localhost"
    device_part = info.device_id.split("/", 1)[1] if "/" in info.device_id else "phone"
    return ds.DeviceCredentialOut(
        device=_device_out(info),
        secret=secret,
        owntracks_http={
            "mode": "HTTP",
            "url": f"{base}/api/v1/devices/owntracks",
            "authentication": "on",
            "username": info.login,
            "password": secret,
            "device_id": device_part,
        },
        owntracks_mqtt={
            "mode": "MQTT",
            "host": host,
            "port": "8883 (TLS)",
            "username": info.login,
            "password": secret,
            "client_id": info.login,
            "device_id": device_part,
        },
        traccar_client={
            "device_identifier": info.login,
            "server_url": f"{base}/api/v1/devices/traccar?key={secret}",
        },
    )


@router.get("/devices", response_model=list[ds.DeviceOut], summary="Devices paired with units (admin)")
def list_devices(session: SessionDep, _: AdminDep) -> list[ds.DeviceOut]:
    return [_device_out(d) for d in device_repo.list_devices(session)]


@router.post(
    "/devices",
    status_code=status.HTTP_201_CREATED,
    response_model=ds.DeviceCredentialOut,
    summary="Pair a device with a unit and issue its credential (shown once; admin)",
)
def enrol_device(
    body: ds.DeviceEnrol, request: Request, session: SessionDep, who: AdminDep
) -> ds.DeviceCredentialOut:
    info, secret = device_repo.enrol_device(
        session, unit_id=body.unit_id, device_id=body.device_id, at=now_utc(), by=who.name
    )
    session.commit()
    forget_tokens(request)  # a replaced phone's secret stops working at once in this process
    return _credential_out(request, info, secret)


LoginPath = Annotated[
    str,
    Path(min_length=1, max_length=32, pattern=device_repo.LOGIN_PATTERN.pattern, description="device login"),
]


@router.post(
    "/devices/{login}/credential",
    response_model=ds.DeviceCredentialOut,
    summary="Rotate a device's credential: a new secret, the old one stops working (admin)",
)
def rotate_credential(
    login: LoginPath, request: Request, session: SessionDep, who: AdminDep
) -> ds.DeviceCredentialOut:
    info, secret = device_repo.rotate_credential(session, login=login, at=now_utc(), by=who.name)
    session.commit()
    forget_tokens(request)
    return _credential_out(request, info, secret)


@router.delete(
    "/devices/{login}/credential",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a device's credential (lost or stolen phone; admin)",
)
def revoke_credential(login: LoginPath, request: Request, session: SessionDep, who: AdminDep) -> Response:
    device_repo.revoke_credential(session, login=login, at=now_utc())
    session.commit()
    forget_tokens(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def forget_tokens(request: Request) -> None:
    """A credential changed here: this process forgets the tokens it knew at once (the others within
    ``SIAGA_TOKEN_CACHE_S``)."""
    cache = request.app.state.siaga.principals
    if cache is not None:
        cache.clear()


@router.get(
    "/devices/unknown",
    response_model=list[ds.UnknownDeviceOut],
    summary="Devices that sent positions to any ingest but are paired with no unit (admin)",
)
def unknown_devices(
    session: SessionDep, state: StateDep, ingest: IngestDep, _: AdminDep
) -> list[ds.UnknownDeviceOut]:
    from tracking.ingest.service import flush_unknown_devices

    flush_unknown_devices(state.sessions, ingest.registry)  # this process's newest sightings first
    return [
        ds.UnknownDeviceOut.model_validate(r, from_attributes=True) for r in device_repo.list_unknown(session)
    ]


# -- health, removal, set-up sheet ---------------------------------------------------------------


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
