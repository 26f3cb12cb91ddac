"""The dispatcher console: the page, its assets, and the small read endpoints behind its map.

The page (``siaga/web/console.html``) is plain HTML + Leaflet served by the app itself; Leaflet
comes from ``web_vendor/`` (fetched from the npm registry by ``scripts/fetch-web-assets.sh``), so
nothing is loaded from a CDN and the console works offline. Without map tiles the boundary and road
layers below are the basemap; OpenStreetMap tiles are an opt-in layer. The replay map of an incident
for its report is a self-contained folium page (``maps.replay_map``, Leaflet inlined).
"""

from __future__ import annotations

import html
import json
import threading
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from dispatch_geo.domain.values import LonLat
from dispatch_geo.places import PlacePoint
from siaga.api import schemas
from siaga.api.deps import OperationsReaderDep, StateDep
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


def page_with_config(name: str, config: dict[str, Any]) -> HTMLResponse:
    """The page ``siaga/web/<name>`` with ``config`` as HTML-escaped JSON in ``<body data-config>``.

    Configuration travels in a data attribute, read by the page's script, because the
    Content-Security-Policy (``siaga.api.middleware``) allows no inline script.
    """
    page = (WEB_DIR / name).read_text(encoding="utf-8")
    attribute = f'data-config="{html.escape(json.dumps(config), quote=True)}"'
    return HTMLResponse(page.replace('data-config="{}"', attribute, 1))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def console_page(state: StateDep) -> HTMLResponse:
    config = {
        "schematic": state.geo.schematic,
        "label": state.geo.label,
        "demoToken": "demo-dispatcher-token" if state.settings.console_demo_token else "",
        "staleAfterS": state.settings.stale_after_s,
    }
    return page_with_config("console.html", config)


@api.get(
    "/places",
    summary="Desa and kecamatan matching a name (autocomplete)",
    description="Each item is one place (send its `kode` as `place_kode` to POST /incidents) with the "
    "point it resolves to: a desa's settlement core, a kecamatan's seat (`resolved_by`: settlement_core, "
    "seat or representative_point), and that point's distance to the nearest road in metres.",
)
def places(
    q: Annotated[str, Query(min_length=1, max_length=80)], state: StateDep, _: OperationsReaderDep
) -> list[dict[str, Any]]:
    return [
        _place_item(m.score, state.geo.places.get(m.kode)) for m in state.geo.gazetteer.search(q, limit=8)
    ]


def _place_item(score: float, p: PlacePoint) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kode": p.kode,
        "nama": p.nama,
        "level": p.level,
        "kecamatan": p.kecamatan_nama,
        "score": round(score, 1),
        "lon": p.point.lon,
        "lat": p.point.lat,
        "resolved_by": str(p.resolved_by),
        "road_distance_m": p.road_distance_m,
    }
    if p.seat_desa_kode is not None:
        item["seat"] = {"kode": p.seat_desa_kode, "nama": p.seat_desa_nama, "confirmed": p.seat_confirmed}
    return item


@api.get(
    "/locate",
    response_model=schemas.LocateOut,
    summary="Where a candidate incident point is: desa, kecamatan, distance to the nearest road",
    description="For the intake pin before an incident is created or moved: the desa and kecamatan (kode "
    "and name), whether the point lies inside the regency (else its distance from the nearest desa; beyond "
    "the border zone a 422 `outside_service_area`), the distance to the nearest road as the dispatch "
    "snapper measures it, and the warning `far_from_road` {distance_m, limit_m} beyond "
    "SIAGA_FAR_FROM_ROAD_M (500 m).",
)
def locate(
    lon: Annotated[schemas.Lon, Query()],
    lat: Annotated[schemas.Lat, Query()],
    state: StateDep,
    _: OperationsReaderDep,
) -> schemas.LocateOut:
    point = LonLat(lon, lat)
    where = state.geo.gazetteer.locate(point)
    road_distance_m = round(state.geo.snapper.snap_one(point).distance_m, 1)
    limit_m = state.settings.far_from_road_m
    warnings = []
    if road_distance_m > limit_m:
        warnings.append(
            schemas.MessageOut(
                code="far_from_road",
                params={"distance_m": round(road_distance_m), "limit_m": round(limit_m)},
                text=f"the point is {road_distance_m:.0f} m from the nearest road "
                f"(more than {limit_m:.0f} m)",
            )
        )
    return schemas.LocateOut(
        lon=lon,
        lat=lat,
        desa=schemas.Place(kode=where.desa_kode, nama=where.desa_nama),
        kecamatan=schemas.Place(kode=where.kecamatan_kode, nama=where.kecamatan_nama),
        inside=where.inside,
        outside_distance_m=round(where.distance_m, 1),
        road_distance_m=road_distance_m,
        warnings=warnings,
    )


@api.get(
    "/map/roads.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Main roads (motorway…tertiary) for the console's basemap",
)
def main_roads(request: Request, state: StateDep, _: OperationsReaderDep) -> JSONResponse:
    with _lock:
        # Starlette's State keeps attributes in its own dict, so ask it (``__dict__`` never has them)
        body = getattr(request.app.state, "siaga_roads", None)
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
    state: StateDep,
    _: OperationsReaderDep,
    level: Annotated[str, Query(pattern="^(kecamatan|desa)$")] = "kecamatan",
) -> JSONResponse:
    return JSONResponse(boundary_collection(str(state.settings.boundaries_path), level), media_type=GEOJSON)


@cache
def boundary_collection(path: str, level: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    features = [f for f in data["features"] if f["properties"].get("level") == level]
    return {"type": "FeatureCollection", "features": features}
