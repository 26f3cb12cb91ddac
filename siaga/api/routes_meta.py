"""Health (no token needed) and the road graph in use."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dispatch_geo.storage.migrate import current_revision
from siaga.api.deps import OperationsReaderDep, StateDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["meta"])


@router.get("/health", summary="Liveness: database reachable, graph loaded (no token needed)")
def health(state: StateDep) -> JSONResponse:
    database: dict[str, Any] = {"backend": state.engine.dialect.name}
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database["ok"] = True
        database["revision"] = current_revision(state.engine)
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc)
        database["ok"] = False
        database["error"] = type(exc).__name__
    meta = state.geo.road.meta
    body = {
        "status": "ok" if database["ok"] else "degraded",
        "database": database,
        "graph": {
            "source": meta.source,
            "built_at": meta.built_at,
            "n_nodes": meta.n_nodes,
            "n_edges": meta.n_edges,
            "schematic": meta.schematic,
        },
        "environment": state.settings.environment,
        **state.geo.graph_flags(),
    }
    return JSONResponse(body, status_code=200 if database["ok"] else 503)


@router.get("/graph", summary="The road graph every ETA is computed on")
def graph_info(state: StateDep, _: OperationsReaderDep) -> dict[str, Any]:
    meta = state.geo.road.meta.to_dict()
    return {"meta": meta, **state.geo.graph_flags()}
