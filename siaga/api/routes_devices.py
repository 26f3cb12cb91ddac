"""Positions from devices over HTTP: Traccar Client / OsmAnd and OwnTracks HTTP mode; ingest metrics.

The same pipeline as the MQTT worker (decode → identify → filter → state → batched write) runs in
the API process for these endpoints. Device apps cannot send our API tokens, so a device is
accepted only when its id is enrolled on a unit (``units.device_id``); unknown devices are refused,
counted and listed for an admin at ``GET /api/v1/devices/unknown``.

- Traccar Client: set the server URL to ``http://<host>:8000/api/v1/devices/traccar`` (GET or POST
  with query or form parameters ``id, lat, lon, timestamp, speed`` in knots ...; or its JSON body).
- OwnTracks HTTP mode: URL ``http://<host>:8000/api/v1/devices/owntracks``; the app identifies
  itself with the ``X-Limit-U`` / ``X-Limit-D`` headers (user / device), as in MQTT topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from siaga.api.deps import AdminDep
from tracking.decoders import decode_owntracks, decode_traccar_json
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.pipeline import IngestPipeline, Processed
from tracking.ingest.registry import DeviceRegistry
from tracking.ingest.writer import BatchWriter

router = APIRouter(tags=["devices"])


@dataclass
class HttpIngest:
    """The API process's own ingest pipeline and writer (started and stopped with the app)."""

    metrics: IngestMetrics
    registry: DeviceRegistry
    pipeline: IngestPipeline
    writer: BatchWriter


def get_ingest(request: Request) -> HttpIngest:
    ingest: HttpIngest = request.app.state.siaga_ingest
    return ingest


IngestDep = Annotated[HttpIngest, Depends(get_ingest)]


def _answer(ingest: HttpIngest, result: Processed, ok_body: Any) -> Response:
    if result.record is not None:
        ingest.writer.submit(result.record, latest=result.latest)
    if result.status == "rejected":
        return JSONResponse({"detail": f"position rejected: {result.reason}"}, status_code=400)
    return JSONResponse(ok_body)


@router.get("/devices/traccar", summary="Traccar Client / OsmAnd protocol (GET)", operation_id="traccar_get")
@router.post(
    "/devices/traccar", summary="Traccar Client / OsmAnd protocol (POST)", operation_id="traccar_post"
)
async def traccar(request: Request, ingest: IngestDep) -> Response:
    received_at = datetime.now(UTC)
    if request.headers.get("content-type", "").startswith("application/json"):
        result = ingest.pipeline.process_result(
            decode_traccar_json(await request.body(), received_at=received_at), "traccar"
        )
    else:
        params: dict[str, list[str]] = {k: request.query_params.getlist(k) for k in request.query_params}
        if request.method == "POST":
            form = await request.form()
            for key in form:
                params.setdefault(key, []).extend(str(v) for v in form.getlist(key))
        result = ingest.pipeline.process_traccar(params, received_at)
    return _answer(ingest, result, {"status": result.status})


@router.post("/devices/owntracks", summary="OwnTracks HTTP mode")
async def owntracks(
    request: Request,
    ingest: IngestDep,
    x_limit_u: Annotated[str | None, Header()] = None,
    x_limit_d: Annotated[str | None, Header()] = None,
) -> Response:
    topic = f"owntracks/{x_limit_u}/{x_limit_d}" if x_limit_u and x_limit_d else None
    decoded = decode_owntracks(await request.body(), topic=topic, received_at=datetime.now(UTC))
    result = ingest.pipeline.process_result(decoded, "owntracks")
    return _answer(ingest, result, [])  # the app expects a JSON array (of commands) back


@router.get("/devices/unknown", summary="Devices that sent positions but are enrolled on no unit")
def unknown_devices(ingest: IngestDep, _: AdminDep) -> list[dict[str, Any]]:
    return [
        {
            "device_id": d.device_id,
            "source": d.source,
            "tracker_id": d.tracker_id,
            "messages": d.messages,
            "first_seen": d.first_seen.isoformat(),
            "last_seen": d.last_seen.isoformat(),
        }
        for d in ingest.registry.unknown_devices()
    ]
