"""GET /live: the console's one live feed (fleet + every open incident), cached per process, ETag/304."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from siaga.api.deps import OperationsReaderDep, StateDep, sees_caller
from siaga.api.live import LivePicture

router = APIRouter(tags=["console"])
_lock = threading.Lock()


def live_picture(request: Request, state: StateDep) -> LivePicture:
    """The app's :class:`LivePicture`, made on first use."""
    with _lock:
        live: LivePicture | None = getattr(request.app.state, "siaga_live", None)
        if live is None:
            live = LivePicture(
                sessions=state.sessions,
                geo=state.geo,
                max_age_s=state.settings.live_max_age_s,
                min_interval_s=state.settings.live_min_interval_s,
            )
            request.app.state.siaga_live = live
    return live


@router.get(
    "/live",
    summary="The live picture: every unit (GeoJSON) and every open incident, in one cached answer",
    description="What the dispatcher console polls every second. `units` is the FeatureCollection of "
    "/units.geojson, `incidents` every open incident (new, dispatched, on scene) as in /incidents, never "
    "capped. The server builds it once per change of the dispatch state (seen by every serve worker on "
    "its next request, at most SIAGA_LIVE_MIN_INTERVAL_S later) or per `max_age_s` (positions), and "
    "every console gets the same bytes; send the `ETag` back as `If-None-Match` to get 304 while nothing "
    "changed. Planners get caller identity null.",
    responses={
        200: {"content": {"application/json": {}}, "description": "the picture"},
        304: {"description": "unchanged since the ETag sent in If-None-Match"},
    },
)
def live(
    request: Request,
    state: StateDep,
    who: OperationsReaderDep,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    snapshot = live_picture(request, state).current()
    body, etag = snapshot.body(caller_data=sees_caller(who))
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
