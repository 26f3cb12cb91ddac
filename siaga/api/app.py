"""The FastAPI application factory. Nothing is built at import time.

``create_app(settings)`` returns an app whose lifespan, at start-up: makes the database engine, runs
the Alembic migrations (always on the SQLite demo file; on PostgreSQL unless
``SIAGA_MIGRATE_ON_STARTUP=false``), imports the fleet CSV into an empty database, seeds the demo API
tokens (development only, when no token exists) or refuses to start in production while demo tokens
are active, loads the road graph (unless one is passed in) and builds its router and snapper and the
gazetteer once. Run it with ``uvicorn --factory siaga.api.app:app_from_env`` or :func:`run_server`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from starlette.types import ASGIApp

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.dispatch.closures import sync_closures
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.facilities import seed_facilities
from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage import fleet_repo, partitions, token_repo
from dispatch_geo.storage.demo_operators import active_demo_operators
from dispatch_geo.storage.engine import make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.api import (
    routes_arrivals,
    routes_auth,
    routes_closures,
    routes_console,
    routes_coverage,
    routes_crew,
    routes_device_admin,
    routes_devices,
    routes_dispatch,
    routes_docs,
    routes_facilities,
    routes_incidents,
    routes_kpi,
    routes_live,
    routes_meta,
    routes_metrics,
    routes_operators,
    routes_pages,
    routes_planning,
    routes_position_requests,
    routes_replay,
    routes_shifts,
    routes_units,
)
from siaga.api.deps import AppState
from siaga.api.device_health import keep_health_flushed
from siaga.api.errors import install_error_handlers
from siaga.api.middleware import (
    AuthFailureLimitMiddleware,
    RequestBodyLimitMiddleware,
    SecurityHeadersMiddleware,
)
from siaga.api.token_cache import TokenCache
from siaga.database import engine_for
from siaga.settings import Settings
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.pipeline import IngestPipeline
from tracking.ingest.registry import DeviceRegistry
from tracking.ingest.service import units_by_device
from tracking.ingest.writer import BatchWriter

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEVICE_PREFIX = f"{API_PREFIX}/devices/"
"""Device endpoints: their decoders refuse duplicate JSON keys themselves (reason codes, metrics)."""


class SiagaAPI(FastAPI):
    """FastAPI with :class:`SecurityHeadersMiddleware` outside everything, Starlette's own error
    middleware included, so even an unhandled error's 500 carries the security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


class UnsafeConfigurationError(RuntimeError):
    """The server refuses to start with this configuration (e.g. demo tokens in production)."""


def build_state(
    settings: Settings, *, road: RoadGraph | None = None, gazetteer: Gazetteer | None = None
) -> AppState:
    """Everything the app needs, built once (see module docstring)."""
    engine = engine_for(settings)
    try:
        if engine.dialect.name == "sqlite" or settings.migrate_on_startup:
            upgrade_to_head(engine)
        sessions = make_session_factory(engine)
        now = datetime.now(UTC)
        demo_tokens = {}
        with sessions.begin() as session:
            if settings.environment != "development" and token_repo.count_tokens(session, demo=True):
                raise UnsafeConfigurationError(
                    "refusing to start in production: well-known demo API tokens are active; "
                    "revoke them with 'dispatch-geo tokens revoke demo-<role>'"
                )
            demo_people = active_demo_operators(session)
            if settings.environment != "development" and demo_people:
                raise UnsafeConfigurationError(
                    "refusing to start in production: well-known demo operator accounts are enabled "
                    f"({', '.join(demo_people)}); disable them with 'dispatch-geo users disable NAME'"
                )
            if settings.fleet_csv_path is not None and not fleet_repo.list_units(session):
                fleet = load_fleet_csv(settings.fleet_csv_path)
                fleet_repo.import_fleet(session, fleet=fleet, at=now)
            seed_facilities(session, extra_csv=settings.facilities_csv_path)
            partitions.ensure_partitions(
                session.connection(), now=now, months_ahead=settings.partitions_ahead_months
            )
            if settings.demo_tokens_enabled and token_repo.count_tokens(session) == 0:
                demo_tokens = token_repo.seed_demo_tokens(session, at=now)
                log.warning("development mode: seeded demo API tokens %s", sorted(demo_tokens.values()))
        graph_dir = None
        if road is None:
            from siaga.graphs import resolve_graph

            road, graph_dir = resolve_graph(settings)
        if gazetteer is None:
            gazetteer = Gazetteer.from_boundaries(
                load_boundaries(settings.boundaries_path), outside_buffer_m=settings.outside_buffer_m
            )
        from siaga.graphs import make_router

        geo = GeoContext.build(
            road,
            gazetteer,
            snap_max_distance_m=settings.snap_max_distance_m,
            stale_after_s=settings.stale_after_s,
            k=settings.recommend_k,
            router=make_router(road, graph_dir, settings),
        )
    except BaseException:
        engine.dispose()
        raise
    with sessions.begin() as session:  # road closures stored before this start are in force at once
        sync_closures(session, geo, now=now)
    geo.router.prepare()  # the CCH is built from here on; Dijkstra answers until it is ready
    if geo.schematic:
        log.warning("the road graph is SCHEMATIC: %s", geo.label)
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        geo=geo,
        demo_tokens=demo_tokens,
        principals=TokenCache(ttl_s=settings.token_cache_s),
    )


def create_app(
    settings: Settings, *, road: RoadGraph | None = None, gazetteer: Gazetteer | None = None
) -> FastAPI:
    """The HTTP API under ``/api/v1`` (OpenAPI at ``/openapi.json``).

    Parameters
    ----------
    settings
        Runtime settings (database URL, environment, stale limit...).
    road
        The road graph to use; default: :func:`siaga.graphs.resolve_graph` at start-up.
    gazetteer
        A prebuilt gazetteer (tests share one); default: built from ``settings.boundaries_path``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings, road=road, gazetteer=gazetteer)
        app.state.siaga = state
        ingest = http_ingest(state)
        app.state.siaga_ingest = ingest
        ingest.writer.start()
        try:
            async with keep_health_flushed(state, ingest.pipeline.health):
                yield
        finally:
            ingest.writer.stop()
            state.engine.dispose()

    app = SiagaAPI(
        title="Siak Siaga 112 dispatch API",
        version="1",
        description="Incidents, units, nearest-unit recommendations by road travel time, assignments.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # served locally by routes_docs (FastAPI's page loads Swagger UI from a CDN)
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    # added last = outermost: the rate limit answers before the body is read, both before any route
    app.add_middleware(
        RequestBodyLimitMiddleware,
        max_body_bytes=settings.max_request_body_bytes,
        own_json_checks=(DEVICE_PREFIX,),
    )
    app.add_middleware(
        AuthFailureLimitMiddleware,
        limit=settings.auth_failure_limit,
        window_s=settings.auth_failure_window_s,
        max_addresses=settings.auth_failure_max_addresses,
        exempt_prefixes=(f"{DEVICE_PREFIX}traccar", f"{DEVICE_PREFIX}owntracks"),
    )
    install_error_handlers(app)
    for module in (
        routes_meta,
        routes_units,
        routes_facilities,
        routes_incidents,
        routes_dispatch,
        routes_devices,
        routes_coverage,
        routes_kpi,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (routes_auth, routes_operators, routes_shifts):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(routes_pages.router)
    app.include_router(routes_metrics.router)
    app.include_router(routes_docs.router)
    app.include_router(routes_console.api, prefix=API_PREFIX)
    app.include_router(routes_replay.api, prefix=API_PREFIX)
    app.include_router(routes_live.router, prefix=API_PREFIX)
    app.include_router(routes_replay.page)
    app.include_router(routes_planning.api, prefix=API_PREFIX)
    app.include_router(routes_planning.page)
    app.include_router(routes_crew.router, prefix=API_PREFIX)
    app.include_router(routes_position_requests.router, prefix=API_PREFIX)
    app.include_router(routes_device_admin.router, prefix=API_PREFIX)
    app.include_router(routes_device_admin.page)
    app.include_router(routes_arrivals.router, prefix=API_PREFIX)
    app.include_router(routes_crew.page)
    app.include_router(routes_kpi.page)
    app.include_router(routes_closures.router, prefix=API_PREFIX)
    routes_console.mount_console(app)
    return app


def http_ingest(state: AppState) -> routes_devices.HttpIngest:
    """The pipeline behind the device HTTP endpoints, writing through the app's sessions."""
    metrics = IngestMetrics()
    registry = DeviceRegistry(units_by_device(state.sessions))
    return routes_devices.HttpIngest(
        metrics=metrics,
        registry=registry,
        pipeline=IngestPipeline(registry, metrics),
        writer=BatchWriter(state.sessions, metrics, snapper=state.geo.snapper),
    )


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory siaga.api.app:app_from_env`` (settings from ``SIAGA_*``)."""
    return create_app(Settings())
