"""Coverage for planners and the dispatcher's move-up hint, over HTTP.

- ``GET /api/v1/coverage/{service}``: headline figures, per-kecamatan coverage and the gap list of
  ``service`` (ambulance, fire, police) from the posts in the database (computed once per process
  and cached; siting scenarios stay in the ``dispatch-geo coverage report`` command).
- ``GET /api/v1/coverage/{service}/move-up?unit_id=X``: "if unit X is dispatched, these villages
  lose cover", from the *current* positions of the available units of that service.

Both say ``schematic: true`` and carry the graph's label when the road graph is the stand-in.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.coverage.analysis import cover_loss
from dispatch_geo.coverage.demand import Demand, allocate_demand
from dispatch_geo.coverage.posts import Post
from dispatch_geo.coverage.report import CoverageReport, ReportOptions, build_report, planner_units
from dispatch_geo.coverage.standards import SERVICES, UNIT_TYPES_FOR_SERVICE, service_standard
from dispatch_geo.dispatch.closures import sync_closures
from dispatch_geo.domain.units import Availability, availability
from dispatch_geo.errors import InputError
from dispatch_geo.routing.travel_time import EdgePoint
from dispatch_geo.storage import fleet_repo
from siaga.api.deps import OperationsReaderDep, SessionDep, StateDep, now_utc

router = APIRouter(tags=["coverage"])
_lock = threading.Lock()


def _service(service: str) -> str:
    if service not in SERVICES:
        raise InputError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    return service


def _records(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    rows = frame.drop(columns=["geometry"], errors="ignore")
    if limit is not None:
        rows = rows.head(limit)
    # people as whole numbers, each *_time_s joined by *_time_min (the seconds stay for existing clients)
    return [planner_units({str(k): v for k, v in row.items()}) for row in rows.to_dict(orient="records")]


def _cache(request: Request) -> dict[Any, Any]:
    cache: dict[Any, Any] = request.app.state.__dict__.setdefault("siaga_coverage", {})
    return cache


@router.get("/coverage/{service}", summary="Coverage of a service: headline figures, kecamatan, gaps")
def coverage(
    service: str, request: Request, session: SessionDep, state: StateDep, _: OperationsReaderDep
) -> dict[str, Any]:
    service = _service(service)
    cache = _cache(request)
    sync_closures(session, state.geo, now=now_utc())
    key = (service, state.geo.router.closed_edges)  # a closure or its lifting computes it afresh
    with _lock:
        report: CoverageReport | None = cache.get(key)
        if report is None:
            types = UNIT_TYPES_FOR_SERVICE[service]
            units = fleet_repo.list_units(session)
            with_units = {u.station_id for u in units if str(u.unit_type) in types}
            posts = [
                Post(s.id, s.name, str(s.agency), s.location.lon, s.location.lat, s.approximate)
                for s in fleet_repo.list_stations(session)
                if s.id in with_units
            ]
            options = ReportOptions(siting=False, lscp=False, relocate=False, thresholds_s=())
            report = build_report(
                state.geo.router.road_now(),
                load_boundaries(state.settings.boundaries_path),
                posts,
                service_standard(service),
                options=options,
                snapper=state.geo.snapper,
            )
            for old in [k for k in cache if isinstance(k, tuple) and k[0] == service]:
                del cache[old]  # the report for roads closed before
            cache[key] = report
    return {
        **report.summary(),
        "label": state.geo.label,
        "kecamatan": _records(report.kecamatan),
        "gaps": _records(report.gaps, limit=30),
    }


@router.get("/coverage/{service}/move-up", summary="Villages that lose cover if a unit is dispatched")
def move_up(
    service: str, unit_id: str, request: Request, session: SessionDep, state: StateDep, _: OperationsReaderDep
) -> dict[str, Any]:
    service = _service(service)
    geo = state.geo
    types = UNIT_TYPES_FOR_SERVICE[service]
    units = [
        u
        for u in fleet_repo.list_units(session)
        if str(u.unit_type) in types
        and availability(u.status) == Availability.AVAILABLE
        and u.last_position is not None
    ]
    if unit_id not in {u.id for u in units}:
        raise InputError(f"unit {unit_id!r} is not an available {service} unit with a known position")
    snapped = geo.snapper.snap(
        [u.last_position.lon for u in units if u.last_position],
        [u.last_position.lat for u in units if u.last_position],
    )
    origins = [EdgePoint(int(e), float(f)) for e, f in zip(snapped.edge, snapped.fraction, strict=True)]
    cache = _cache(request)
    with _lock:
        demand: Demand | None = cache.get("demand")
        if demand is None:
            boundaries = load_boundaries(state.settings.boundaries_path)
            demand = allocate_demand(geo.road, boundaries.desa, boundaries.kecamatan)
            cache["demand"] = demand
    standard = service_standard(service)
    sync_closures(session, geo, now=now_utc())
    road_now = geo.router.road_now()
    lost = cover_loss(road_now, demand, origins, [u.id for u in units], unit_id, standard.travel_time_s)
    return {
        "service": service,
        "unit_id": unit_id,
        "standard": standard.describe(),
        "schematic": geo.schematic,
        "label": geo.label,
        "available_units": len(units),
        "villages_losing_cover": _records(lost),
        "population_losing_cover": round(float(lost["lost_population"].sum())) if len(lost) else 0,
    }
