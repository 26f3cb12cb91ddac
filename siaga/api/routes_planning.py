"""What-if planning for planners: the page ``/planning`` and the endpoints behind it.

- ``GET /api/v1/planning/{service}``: the service's posts today (with their units), the busy fraction
  (from the assignments of the last ``days`` days, or the assumed default when history is thin), the
  standard, each desa's population density, and the figures of today's posts.
- ``POST /api/v1/planning/{service}/evaluate``: the figures of a changed set of posts (milliseconds:
  :class:`~dispatch_geo.coverage.whatif.WhatIfModel` keeps per service what does not change).
- ``POST /api/v1/planning/{service}/isochrones``: the 5/8/10/15/30-minute bands of each post.
- ``POST /api/v1/planning/{service}/suggest``: where more units gain the most expected coverage (MEXCLP).
- ``/api/v1/planning/scenarios``: save, list, open and delete named scenarios.

Planners and admins only (a supervisor role, when it exists, could be added to :data:`PlannerDep`).
Every answer built on the road graph says whether it is schematic.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from shapely.geometry import mapping

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.coverage.busy import BusyFraction, busy_fraction
from dispatch_geo.coverage.demand import allocate_demand
from dispatch_geo.coverage.isochrones import DEFAULT_THRESHOLDS_MIN, isochrones
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.coverage.standards import UNIT_TYPES_FOR_SERVICE, service_standard
from dispatch_geo.coverage.suggest import Candidates, suggest_units
from dispatch_geo.coverage.whatif import PlannedPost, WhatIfModel, result_dict
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import OutsideServiceAreaError
from dispatch_geo.storage import fleet_repo, planning_repo
from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.planning_models import PlanningScenarioRow
from siaga.api import schemas
from siaga.api.deps import AppState, Principal, SessionDep, StateDep, now_utc, require_role
from siaga.api.planning_schemas import ScenarioIn, ScenarioSave, Service, SuggestIn
from siaga.api.routes_console import page_with_config

PlannerDep = Annotated[
    Principal, Depends(require_role(Role.PLANNER, Role.ADMIN, action="plan coverage (what-if scenarios)"))
]
ScenarioId = Annotated[int, Path(ge=1, le=schemas.DB_BIGINT_MAX, description="scenario id")]

api = APIRouter(tags=["planning"])
page = APIRouter(include_in_schema=False)
_lock = threading.Lock()
ISOCHRONE_BUFFER_M = 300.0
ISOCHRONE_SIMPLIFY_M = 60.0


@page.get("/planning", response_class=HTMLResponse)
def planning_page(state: StateDep) -> HTMLResponse:
    config = {
        "schematic": state.geo.schematic,
        "label": state.geo.label,
        "demoToken": "demo-planner-token" if state.settings.demo_tokens_enabled else "",
    }
    return page_with_config("planning.html", config)


def _cache(request: Request) -> dict[str, Any]:
    cache: dict[str, Any] = request.app.state.__dict__.setdefault("siaga_planning", {})
    return cache


def model_for(request: Request, state: AppState, service: str) -> WhatIfModel:
    """The service's what-if model, built on first use and kept for the process."""
    cache = _cache(request)
    with _lock:
        model: WhatIfModel | None = cache.get(service)
        if model is None:
            demand = cache.get("demand")
            if demand is None:
                boundaries = load_boundaries(state.settings.boundaries_path)
                demand = allocate_demand(state.geo.road, boundaries.desa, boundaries.kecamatan)
                cache["demand"] = demand
            standard = service_standard(service)
            model = WhatIfModel(state.geo.road, demand, standard.travel_time_s, state.geo.snapper)
            cache[service] = model
    return model


def _graph(state: AppState) -> dict[str, Any]:
    meta = state.geo.road.meta
    return {
        "schematic": state.geo.schematic,
        "label": state.geo.label,
        "osm_timestamp": None if meta.schematic else meta.osm_timestamp,
    }


def _busy(session: Any, service: str, days: int, now: datetime) -> tuple[BusyFraction, list[dict[str, Any]]]:
    """The service's busy fraction over the last ``days``, and each post's own (for information: the
    expected coverage uses the service's one, as Daskin's model does)."""
    types = UNIT_TYPES_FOR_SERVICE[service]
    units = [u for u in fleet_repo.list_units(session) if str(u.unit_type) in types]
    since = now - timedelta(days=days)
    overall = busy_fraction(
        planning_repo.assignment_intervals(session, unit_ids=[u.id for u in units], since=since, until=now),
        n_units=len(units),
        since=since,
        until=now,
    )
    per_post = []
    for station in sorted({u.station_id for u in units}):
        ids = [u.id for u in units if u.station_id == station]
        intervals = planning_repo.assignment_intervals(session, unit_ids=ids, since=since, until=now)
        own = busy_fraction(intervals, n_units=len(ids), since=since, until=now)
        per_post.append(
            {
                "post_id": station,
                "units": len(ids),
                "assignments": own.assignments,
                "measured": None if own.measured is None else round(own.measured, 4),
                "source": str(own.source),
            }
        )
    return overall, per_post


def _posts_today(session: Any, service: str) -> list[PlannedPost]:
    types = UNIT_TYPES_FOR_SERVICE[service]
    count: dict[str, int] = {}
    for unit in fleet_repo.list_units(session):
        if str(unit.unit_type) in types:
            count[unit.station_id] = count.get(unit.station_id, 0) + 1
    return [
        PlannedPost(s.id, s.name, s.location.lon, s.location.lat, count[s.id])
        for s in fleet_repo.list_stations(session)
        if s.id in count
    ]


@api.get("/planning/{service}", summary="What-if start: posts today, busy fraction, desa density, figures")
def planning_start(
    service: Service,
    request: Request,
    session: SessionDep,
    state: StateDep,
    _: PlannerDep,
    days: Annotated[int, Query(ge=1, le=730, description="history period for the busy fraction")] = 90,
) -> dict[str, Any]:
    model = model_for(request, state, service)
    busy, busy_per_post = _busy(session, service, days, now_utc())
    posts = _posts_today(session, service)
    desa = model.demand.desa
    density = [
        {
            "kode": str(desa["kode"].iloc[i]),
            "area_km2": round(float(desa["area_km2"].iloc[i]), 2),
            "density_per_km2": round(float(model.desa_population[i] / desa["area_km2"].iloc[i]), 1)
            if desa["area_km2"].iloc[i] > 0
            else None,
        }
        for i in range(model.n_desa)
    ]
    standard = service_standard(service)
    return {
        "service": service,
        **_graph(state),
        "standard": standard.describe(),
        "standard_min": standard.travel_time_min,
        "bands_min": list(DEFAULT_THRESHOLDS_MIN),
        "demand_method": model.demand.method,
        "busy": {**busy.as_dict(), "days": days, "per_post": busy_per_post},
        "density": density,
        "figures": result_dict(model, model.evaluate(posts, busy.q)),
    }


@api.post(
    "/planning/{service}/evaluate", summary="Figures of a what-if scenario (posts moved, added, removed)"
)
def evaluate(
    service: Service, body: ScenarioIn, request: Request, state: StateDep, _: PlannerDep
) -> dict[str, Any]:
    model = model_for(request, state, service)
    posts = [p.planned() for p in body.posts]
    return {
        "service": service,
        **_graph(state),
        **result_dict(model, model.evaluate(posts, body.busy_fraction)),
    }


@api.post(
    "/planning/{service}/isochrones",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Isochrone bands (5/8/10/15/30 min) of each post of a scenario",
)
def post_isochrones(
    service: Service, body: ScenarioIn, request: Request, state: StateDep, _: PlannerDep
) -> JSONResponse:
    model = model_for(request, state, service)
    posts = [p.planned() for p in body.posts if p.units > 0]
    points, _snap = model.snap(posts)
    limit = max(DEFAULT_THRESHOLDS_MIN) * 60.0
    times = multi_source_times(model.road, points, limit_s=limit, base=model.base)
    features = []
    thresholds = [m * 60.0 for m in DEFAULT_THRESHOLDS_MIN]
    bands = isochrones(
        model.road, times, thresholds, buffer_m=ISOCHRONE_BUFFER_M, simplify_m=ISOCHRONE_SIMPLIFY_M
    )
    for band in reversed(bands):  # largest first, so smaller bands draw on top
        for k, geom in enumerate(band.by_origin):
            if geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(shapely.set_precision(geom, 1e-5)),
                    "properties": {
                        "post_id": posts[k].id,
                        "band_min": band.threshold_s / 60.0,
                        "outline_tolerance_m": band.tolerance_m,  # APPROXIMATE outline when > 0
                    },
                }
            )
    body_out = {"type": "FeatureCollection", **_graph(state), "features": features}
    return JSONResponse(body_out, media_type="application/geo+json")


@api.post("/planning/{service}/suggest", summary="Where more units gain the most expected coverage (MEXCLP)")
def suggest(
    service: Service, body: SuggestIn, request: Request, state: StateDep, _: PlannerDep
) -> dict[str, Any]:
    model = model_for(request, state, service)
    cache = _cache(request)
    with _lock:
        candidates: Candidates | None = cache.get(f"candidates:{service}")
        if candidates is None:
            candidates = Candidates(model)
            cache[f"candidates:{service}"] = candidates
    posts = [p.planned() for p in body.posts]
    found = suggest_units(candidates, posts, body.busy_fraction, body.add_units)
    sites = []
    for n, site in enumerate(found.sites, start=1):
        desa, kecamatan = _place(state, site.lon, site.lat)
        sites.append(
            {
                "post_id": site.post_id,
                "suggested_id": site.post_id or f"usulan-{n}",
                "lon": round(site.lon, 6),
                "lat": round(site.lat, 6),
                "units": site.units,
                "desa": desa,
                "kecamatan": kecamatan,
            }
        )
    return {
        "service": service,
        **_graph(state),
        "busy_fraction": body.busy_fraction,
        "add_units": body.add_units,
        "model": "mexclp_desa_centres",
        "demand_points": found.n_demand,
        "candidate_sites": found.n_candidates,
        "expected_before_desa_centres": round(found.before.expected_weight),
        "expected_after_desa_centres": round(found.after.expected_weight),
        "sites": sites,
    }


def _place(state: AppState, lon: float, lat: float) -> tuple[str | None, str | None]:
    """Desa and kecamatan of a site; none for a road node beyond the regency (a real OSM graph's edge)."""
    try:
        where = state.geo.gazetteer.locate(LonLat(lon, lat))
    except OutsideServiceAreaError:
        return None, None
    return where.desa_nama, where.kecamatan_nama


def _scenario_out(row: PlanningScenarioRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "service": row.service,
        "posts": row.posts,
        "busy_fraction": row.busy_fraction,
        "busy_source": row.busy_source,
        "figures": row.figures,
        "created_at": row.created_at.astimezone(UTC).isoformat(),
        "created_by": row.created_by,
    }


HEADLINE_KEYS = (
    "population",
    "covered_population",
    "coverage_share",
    "expected_covered_population",
    "expected_share",
    "unreachable_population",
    "mean_time_min",
    "p90_time_min",
    "gap_count",
)


@api.get("/planning-scenarios", summary="Saved what-if scenarios, newest first")
def list_scenarios(
    session: SessionDep, _: PlannerDep, service: Annotated[Service | None, Query()] = None
) -> list[dict[str, Any]]:
    return [_scenario_out(r) for r in planning_repo.list_scenarios(session, service=service)]


@api.post(
    "/planning-scenarios", status_code=status.HTTP_201_CREATED, summary="Save a what-if scenario by name"
)
def save_scenario(
    body: ScenarioSave, request: Request, session: SessionDep, state: StateDep, who: PlannerDep
) -> dict[str, Any]:
    model = model_for(request, state, body.service)
    posts = [p.planned() for p in body.posts]
    figures = result_dict(model, model.evaluate(posts, body.busy_fraction))
    row = planning_repo.create_scenario(
        session,
        name=body.name,
        service=body.service,
        posts=[p.model_dump() for p in body.posts],
        busy_fraction=body.busy_fraction,
        busy_source=body.busy_source,
        figures={**{k: figures[k] for k in HEADLINE_KEYS}, **_graph(state)},
        at=now_utc(),
        by=who.name,
    )
    out = _scenario_out(row)
    session.commit()
    return out


@api.get("/planning-scenarios/{scenario_id}", summary="A saved scenario with its figures recomputed")
def get_scenario(
    scenario_id: ScenarioId, request: Request, session: SessionDep, state: StateDep, _: PlannerDep
) -> dict[str, Any]:
    row = planning_repo.get_scenario(session, scenario_id=scenario_id)
    model = model_for(request, state, row.service)
    posts = [PlannedPost(p["id"], p["name"], p["lon"], p["lat"], p["units"]) for p in row.posts]
    return {**_scenario_out(row), "current": result_dict(model, model.evaluate(posts, row.busy_fraction))}


@api.delete(
    "/planning-scenarios/{scenario_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved scenario",
)
def delete_scenario(scenario_id: ScenarioId, session: SessionDep, _: PlannerDep) -> None:
    planning_repo.delete_scenario(session, scenario_id=scenario_id)
    session.commit()
