"""GET /live: the console's one live feed (fleet + every open incident), cached per process, ETag/304."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

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


VERSION_PATTERN = r"^[0-9a-f]{1,16}\.[0-9]{1,12}$"


@router.get(
    "/live",
    summary="The live picture: every unit (GeoJSON) and every open incident, whole or what changed",
    description="What the dispatcher console polls every second. `units` is a FeatureCollection of the "
    "fleet as in /units.geojson but without `fix_age_s` and `stale` (they change with the clock alone: "
    "compute them from `last_fix_time`, `generated_at` and `stale_after_s`), `incidents` every open "
    "incident (new, dispatched, on scene) as in /incidents, never capped. The server builds it once per "
    "change of the dispatch state (seen by every serve worker on its next request, at most "
    "SIAGA_LIVE_MIN_INTERVAL_S later) or per `max_age_s` (positions), and every console gets the same "
    "bytes. Send the `version` you hold as `since` to get only what changed since: `full` false, "
    "`units` the changed and new units' features, `removed` the ids of units gone, `incidents` null "
    "when the list did not change; a `since` this server process cannot answer from (another worker, a "
    "restart) gets the whole picture (`full` true). Without `since`: the whole picture; send the "
    "`ETag` back as `If-None-Match` to get 304 while nothing changed. Bodies are gzip-compressed for "
    "clients that accept it. Planners get caller identity null.",
    responses={
        200: {"content": {"application/json": {}}, "description": "the picture, or what changed"},
        304: {"description": "unchanged since the ETag sent in If-None-Match"},
    },
)
def live(
    request: Request,
    state: StateDep,
    who: OperationsReaderDep,
    since: Annotated[
        str | None,
        Query(max_length=40, pattern=VERSION_PATTERN, description="the `version` of the picture held"),
    ] = None,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
    accept_encoding: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    snapshot = live_picture(request, state).current()
    answer = snapshot.answer(since=since, caller_data=sees_caller(who))
    cache = "private, no-cache" if since is None else "no-store"  # a delta is for this console only
    headers = {"ETag": answer.etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
    sent = {t.strip() for t in (if_none_match or "").split(",")}
    if since is None and answer.etag in sent:
        return Response(status_code=304, headers=headers)
    body, encoding = answer.encoded(gzip_ok="gzip" in (accept_encoding or "").lower())
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return Response(body, media_type="application/json", headers=headers)
