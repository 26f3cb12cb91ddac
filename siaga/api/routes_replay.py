"""Replay of an incident: the assigned units' tracks and the status events, on a time slider.

``GET /api/v1/incidents/{id}/replay.geojson`` returns the tracks (``position_fixes`` of each
assigned unit from 5 minutes before its assignment until 10 minutes after its release or the
incident's close) as point features with a ``time`` property, and the incident's timeline.
``GET /replay/{id}`` is the page that plays it (Leaflet served locally, see ``siaga/web/replay.html``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from dispatch_geo.dispatch.timeline import incident_timeline
from dispatch_geo.storage import incident_repo, position_repo
from dispatch_geo.storage.partitions import REPLAY_AFTER_RELEASE, REPLAY_BEFORE_ASSIGNMENT
from maps.offline import MissingWebAssetsError
from maps.replay_map import replay_map
from siaga.api import schemas
from siaga.api.deps import AppState, OperationsReaderDep, SessionDep, StateDep
from siaga.api.routes_console import VENDOR_DIR, boundary_collection, page_with_config
from siaga.api.schemas import IncidentId

AFTER_RELEASE = REPLAY_AFTER_RELEASE
BEFORE_ASSIGNMENT = REPLAY_BEFORE_ASSIGNMENT
"""Fixes this long before the assignment show where the unit was when it was sent (the retention of
old position history keeps exactly these windows: dispatch_geo.storage.partitions)."""

api = APIRouter(tags=["incidents"])
page = APIRouter(include_in_schema=False)


@api.get(
    "/incidents/{incident_id}/replay.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Tracks and events of an incident, for replay",
)
def replay_data(
    incident_id: IncidentId, session: SessionDep, state: StateDep, _: OperationsReaderDep
) -> JSONResponse:
    return JSONResponse(replay_body(session, state, incident_id), media_type="application/geo+json")


def replay_body(session: Session, state: AppState, incident_id: int) -> dict[str, Any]:
    """The replay as a GeoJSON FeatureCollection with ``events`` (what both replay endpoints serve)."""
    incident = incident_repo.get_incident(session, incident_id=incident_id)
    end_default = incident.closed_at or datetime.now(UTC)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": incident.location.as_geojson()},
            "properties": {"kind": "incident", "time": incident.created_at.isoformat(), "id": incident.id},
        }
    ]
    for assignment in incident_repo.list_assignments(session, incident_id=incident_id):
        until = (assignment.released_at or end_default) + AFTER_RELEASE
        for fix in position_repo.list_position_fixes(
            session,
            unit_id=assignment.unit_id,
            since=assignment.assigned_at - BEFORE_ASSIGNMENT,
            until=until,
        ):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": fix.position.as_geojson()},
                    "properties": {
                        "kind": "fix",
                        "unit_id": assignment.unit_id,
                        "time": fix.fix_time.isoformat(),
                    },
                }
            )
    events = [
        {
            "time": e.at.isoformat(),
            "summary": e.summary,
            "unit_id": e.unit_id,
            "by": e.by,
            # the console renders these from its catalogue (the summary is the English fallback)
            "kind": e.kind,
            "summary_code": e.summary_code,
            "params": e.params,
        }
        for e in incident_timeline(session, incident_id=incident_id)
    ]
    body = {
        "type": "FeatureCollection",
        "incident_id": incident_id,
        "status": incident.status.value,
        "schematic": state.geo.schematic,
        "label": state.geo.label,
        "events": events,
        "features": features,
    }
    return body


@page.get("/replay/{incident_id}", response_class=HTMLResponse)
def replay_page(incident_id: IncidentId, state: StateDep) -> HTMLResponse:
    # the demo token only where the console offers it too (development), never a hard-coded fallback
    demo_token = "demo-dispatcher-token" if state.settings.console_demo_token else ""
    return page_with_config("replay.html", {"incidentId": incident_id, "demoToken": demo_token})


@api.get(
    "/incidents/{incident_id}/replay-map.html",
    response_class=HTMLResponse,
    responses={503: {"description": "the local Leaflet assets are missing (scripts/fetch-web-assets.sh)"}},
    summary="The incident's replay as one self-contained HTML file (tracks, timeline; works offline)",
)
def replay_map_file(
    incident_id: IncidentId, session: SessionDep, state: StateDep, reader: OperationsReaderDep
) -> HTMLResponse:
    body = replay_body(session, state, incident_id)
    try:
        desa = boundary_collection(str(state.settings.boundaries_path), "desa")
        page = replay_map(body, vendor_dir=VENDOR_DIR, boundaries=desa).get_root().render()
    except MissingWebAssetsError as error:
        raise HTTPException(status_code=503, detail=str(error)) from error
    disposition = f'attachment; filename="siaga-replay-{incident_id}.html"'
    return HTMLResponse(page, headers={"Content-Disposition": disposition})
