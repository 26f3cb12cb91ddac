"""Devices: positions over HTTP (Traccar Client / OsmAnd, OwnTracks HTTP mode) and the device's own
assignment. Enrolment, credentials and devices seen but not enrolled: :mod:`siaga.api.routes_device_admin`.

The same pipeline as the MQTT worker (decode → identify → filter → state → batched write) runs in
the API process. Every device request must prove it is the device it claims to be, with the secret
issued when the device was enrolled (``POST /api/v1/devices``, ``dispatch-geo devices enrol``):

- Traccar Client: server URL ``https://<host>/api/v1/devices/traccar?key=<secret>`` (the app keeps the
  URL's query and appends ``id, lat, lon, timestamp…``), device identifier = the device login.
- OwnTracks HTTP mode: URL ``https://<host>/api/v1/devices/owntracks``, authentication on, user = the
  device login, password = the secret (HTTP Basic); ``X-Limit-U`` must match the user.
- Any client: ``Authorization: Basic`` (login:secret) or ``Authorization: Bearer <secret>``.

A fix is answered 200 only once it is committed to the database (so a device app never drops a fix
the server did not keep); 401 without a valid credential (nothing stored), 403 when the credential is
another device's, 400 when the fix itself is refused (with the reason), 503 when it could not be
stored in time (the app retries).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from dispatch_geo.storage import device_repo
from dispatch_geo.storage.device_repo import DeviceIdentity
from siaga.api import device_schemas as ds
from siaga.api.deps import DeviceDep, SessionDep, StateDep
from tracking.decoders import decode_owntracks, decode_traccar_json, decode_traccar_params
from tracking.fix import Decoded, DecodeResult
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.pipeline import IngestPipeline, Processed
from tracking.ingest.registry import DeviceRegistry
from tracking.ingest.writer import BatchWriter

router = APIRouter(tags=["devices"])

COMMIT_WAIT_S = 10.0
"""How long a device request waits for its fix to be committed before answering 503."""
DEVICE_REALM = 'Basic realm="siaga-devices", charset="UTF-8"'


@dataclass
class HttpIngest:
    """The API process's own ingest pipeline and writer (started and stopped with the app).

    ``on_done`` resolves the futures of requests waiting for their fix to be committed.
    """

    metrics: IngestMetrics
    registry: DeviceRegistry
    pipeline: IngestPipeline
    writer: BatchWriter
    _waiting: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.writer.on_done = self._done

    def _done(self, tokens: list[int]) -> None:
        with self._lock:
            waiting = [self._waiting.pop(t) for t in tokens if t in self._waiting]
        for loop, future in waiting:
            loop.call_soon_threadsafe(_resolve, future)

    async def store(self, result: Processed) -> bool:
        """Queue the accepted fix and wait until it is committed; False if it was not in time."""
        assert result.record is not None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        token = next(self._tokens)
        with self._lock:
            self._waiting[token] = (loop, future)
        if not self.writer.submit(result.record, latest=result.latest, token=token):
            with self._lock:
                self._waiting.pop(token, None)
            return False
        try:
            await asyncio.wait_for(future, timeout=COMMIT_WAIT_S)
        except TimeoutError:
            with self._lock:
                self._waiting.pop(token, None)
            return False
        return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def get_ingest(request: Request) -> HttpIngest:
    ingest: HttpIngest = request.app.state.siaga_ingest
    return ingest


IngestDep = Annotated[HttpIngest, Depends(get_ingest)]


async def answer(ingest: HttpIngest, result: Processed, ok_body: Any) -> Response:
    """200 with ``ok_body`` once the fix is committed; 400 with the reason when it was refused."""
    if result.status == "rejected":
        return JSONResponse(
            {
                "detail": f"position rejected: {result.reason}",
                "error": "PositionRejected",
                "reason": result.reason,
            },
            status_code=400,
        )
    if result.record is not None and not await ingest.store(result):
        return JSONResponse(
            {"detail": "the position could not be stored in time; send it again", "error": "NotStored"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse(ok_body)


# -- who is calling ----------------------------------------------------------------------------------


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": DEVICE_REALM})


def _basic_credentials(request: Request, *, strict: bool = True) -> tuple[str, str] | None:
    """``(login, secret)`` of an ``Authorization: Basic`` header; None when there is none.

    A header that cannot be read as ``login:secret`` is a 401, or None when not ``strict``.
    """
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        login, sep, secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        if not strict:
            return None
        raise _unauthorized("malformed Basic credentials") from None
    if not sep:
        if not strict:
            return None
        raise _unauthorized("malformed Basic credentials: expected login:secret")
    return login, secret


def authenticate_device(
    state: StateDep, request: Request, *, claimed_login: str | None, key: str | None
) -> DeviceIdentity | None:
    """The device proving its identity with Basic (login:secret), Bearer (secret) or ``key`` (secret).

    None when ``claimed_login`` is paired with no unit: such a fix is refused as an unknown device and
    listed for an admin, whatever it carries. One database session for both checks. Raises 401 (naming
    what is missing or wrong, never which part) or 403 when the credential belongs to a device other
    than ``claimed_login``.
    """
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    device: DeviceIdentity | None = None
    with state.sessions() as session:
        if claimed_login is not None and device_repo.unit_of_login(session, login=claimed_login) is None:
            return None
        basic = _basic_credentials(request)
        if basic is not None:
            device = device_repo.authenticate(session, login=basic[0], secret=basic[1])
        elif scheme.lower() == "bearer" and value:
            device = device_repo.identify_by_secret(session, secret=value.strip())
        elif key:
            device = device_repo.identify_by_secret(session, secret=key)
        else:
            raise _unauthorized(
                "missing device credential: send HTTP Basic (device login and secret), "
                "a Bearer secret, or key=<secret> in the server URL"
            )
    if device is None:
        raise _unauthorized("the device credential is unknown, revoked or not paired with a unit")
    if claimed_login is not None and claimed_login != device.login:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this credential belongs to device {device.login!r}, not {claimed_login!r}",
        )
    return device


async def _ingest(
    request: Request,
    state: StateDep,
    ingest: HttpIngest,
    decoded: DecodeResult,
    source: str,
    *,
    key: str | None,
    ok_body: Callable[[Processed], Any],
) -> Response:
    """Authenticate the device the fix claims to come from, then run it through the pipeline."""
    claimed = device_repo.login_of(decoded.fix.device_id) if isinstance(decoded, Decoded) else None

    def check_and_process() -> Processed:
        """The credential lookup (database + hash) and the pipeline (which re-reads the pairing from the
        database on a registry miss), in a worker thread, never on the event loop."""
        device = authenticate_device(state, request, claimed_login=claimed, key=key)
        if device is None:  # an unpaired device: refused and listed as unknown
            return ingest.pipeline.process_result(decoded, source)
        return ingest.pipeline.process_result(decoded, source, login=device.login)

    result = await run_in_threadpool(check_and_process)
    return await answer(ingest, result, ok_body(result))


# -- positions over HTTP -----------------------------------------------------------------------------


@router.get("/devices/traccar", summary="Traccar Client / OsmAnd protocol (GET)", operation_id="traccar_get")
@router.post(
    "/devices/traccar", summary="Traccar Client / OsmAnd protocol (POST)", operation_id="traccar_post"
)
async def traccar(request: Request, ingest: IngestDep, state: StateDep) -> Response:
    received_at = datetime.now(UTC)
    params: dict[str, list[str]] = {k: request.query_params.getlist(k) for k in request.query_params}
    if request.headers.get("content-type", "").startswith("application/json"):
        decoded = decode_traccar_json(await request.body(), received_at=received_at)
    else:
        if request.method == "POST":
            form = await request.form()
            for name in form:
                params.setdefault(name, []).extend(str(v) for v in form.getlist(name))
        decoded = None
    keys = params.pop("key", None)
    key = keys[-1] if keys else None
    if decoded is None:
        decoded = decode_traccar_params(params, received_at=received_at)
    return await _ingest(
        request, state, ingest, decoded, "traccar", key=key, ok_body=lambda r: {"status": r.status}
    )


@router.post("/devices/owntracks", summary="OwnTracks HTTP mode")
async def owntracks(
    request: Request,
    ingest: IngestDep,
    state: StateDep,
    x_limit_u: Annotated[str | None, Header(max_length=64)] = None,
    x_limit_d: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    body = await request.body()
    basic = _basic_credentials(request, strict=False)
    user = x_limit_u or (basic[0] if basic else None)
    topic = f"owntracks/{user}/{x_limit_d or 'http'}" if user else None
    decoded = decode_owntracks(body, topic=topic, received_at=datetime.now(UTC))
    # the app expects a JSON array (of commands) back
    return await _ingest(request, state, ingest, decoded, "owntracks", key=None, ok_body=lambda _: [])


# -- the device's own unit ---------------------------------------------------------------------------


@router.get(
    "/device/assignment",
    response_model=ds.OwnAssignmentOut,
    summary="The calling device's unit and its current assignment (device role only)",
)
def own_assignment(session: SessionDep, who: DeviceDep) -> ds.OwnAssignmentOut:
    if who.unit_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a device bound to a unit has an assignment")
    from dispatch_geo.storage import fleet_repo

    unit = fleet_repo.get_unit(session, unit_id=who.unit_id)
    out = ds.OwnAssignmentOut(unit_id=unit.id, unit_status=str(unit.status))
    current = device_repo.current_assignment(session, unit_id=unit.id)
    if current is None:
        return out
    assignment, incident = current
    return out.model_copy(
        update={
            "incident_id": incident.id,
            "incident_type": incident.incident_type,
            "priority": incident.priority,
            "incident_status": incident.status,
            "lon": incident.location.lon,
            "lat": incident.location.lat,
            "address": incident.address,
            "description": incident.description,
            "assigned_at": assignment.assigned_at,
        }
    )
