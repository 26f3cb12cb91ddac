"""The dispatcher console: the page, its assets, and the small read endpoints behind its map.

The page (``siaga/web/console.html``) is plain HTML + Leaflet served by the app itself; Leaflet
comes from ``web_vendor/`` (fetched from the npm registry by ``scripts/fetch-web-assets.sh``), so
nothing is loaded from a CDN and the console works offline. Without map tiles the boundary and road
layers below are the basemap; OpenStreetMap tiles are an opt-in layer. The replay map of an incident
for its report is a self-contained folium page (``maps.replay_map``, Leaflet inlined).
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from siaga.api import schemas
from siaga.api.deps import ReaderDep, StateDep
from siaga.settings import PROJECT_ROOT

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
VENDOR_DIR = PROJECT_ROOT / "web_vendor"
MAIN_ROADS = ("motorway", "trunk", "primary", "secondary", "tertiary")
GEOJSON = "application/geo+json"

router = APIRouter(tags=["console"])
api = APIRouter(tags=["console"])
_lock = threading.Lock()


def mount_console(app: Any) -> None:
    """Serve the console at ``/`` with its static files; the vendor folder must have been fetched."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    VENDOR_DIR.mkdir(exist_ok=True)
    app.mount("/vendor", StaticFiles(directory=VENDOR_DIR), name="vendor")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def console_page(state: StateDep) -> HTMLResponse:
    page = (WEB_DIR / "console.html").read_text(encoding="utf-8")
    config = {
        "schematic": state.geo.schematic,
        "label": state.geo.label,
        "demoToken": "demo-dispatcher-token" if state.settings.demo_tokens_enabled else "",
        "staleAfterS": state.settings.stale_after_s,
    }
    return HTMLResponse(page.replace("/*CONFIG*/{}", json.dumps(config)))


@api.get("/places", summary="Desa and kecamatan matching a name (autocomplete)")
def places(
    q: Annotated[str, Query(min_length=1, max_length=80)], state: StateDep, _: ReaderDep
) -> list[dict[str, Any]]:
    return [
        {
            "kode": m.kode,
            "nama": m.nama,
            "level": m.level,
            "kecamatan": m.kecamatan_nama,
            "score": round(m.score, 1),
            "lon": m.centroid.lon,
            "lat": m.centroid.lat,
        }
        for m in state.geo.gazetteer.search(q, limit=8)
    ]


@api.get(
    "/map/roads.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Main roads (motorway…tertiary) for the console's basemap",
)
def main_roads(request: Request, state: StateDep, _: ReaderDep) -> JSONResponse:
    with _lock:
        body = request.app.state.__dict__.get("siaga_roads")
        if body is None:
            body = _roads(state)
            request.app.state.siaga_roads = body
    return JSONResponse(body, media_type=GEOJSON)


def _roads(state: Any) -> dict[str, Any]:
    road = state.geo.road
    wanted = {i for i, name in enumerate(road.highway_names) if name.removesuffix("_link") in MAIN_ROADS}
    features = []
    for e in range(road.n_edges):
        twin = int(road.twin[e])
        if int(road.highway[e]) not in wanted or (0 <= twin < e):
            continue
        coords = road.edge_coords(e).round(5).tolist()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"highway": road.highway_names[int(road.highway[e])]},
            }
        )
    return {
        "type": "FeatureCollection",
        "schematic": bool(road.meta.schematic),
        "label": road.meta.label,
        "features": features,
    }


@api.get(
    "/map/boundaries.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Kecamatan or desa boundaries",
)
def boundaries(
    state: StateDep, _: ReaderDep, level: Annotated[str, Query(pattern="^(kecamatan|desa)$")] = "kecamatan"
) -> JSONResponse:
    return JSONResponse(boundary_collection(str(state.settings.boundaries_path), level), media_type=GEOJSON)


@cache
def boundary_collection(path: str, level: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    features = [f for f in data["features"] if f["properties"].get("level") == level]
    return {"type": "FeatureCollection", "features": features}
