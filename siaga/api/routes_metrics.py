"""``GET /metrics``: the API process's HTTP-ingest counters in the Prometheus text format, behind a token.

Prometheus authenticates with ``authorization: {credentials: <SIAGA_METRICS_TOKEN>}`` in its scrape
config (sent as ``Authorization: Bearer <token>``); an admin API token is accepted as well. No
credential or an unknown one → 401; a valid API token of another role → 403.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dispatch_geo.storage import token_repo
from dispatch_geo.storage.auth_models import Role
from siaga.api.deps import StateDep
from tracking.ingest.metrics import IngestMetrics

router = APIRouter(tags=["meta"])

_bearer = HTTPBearer(
    auto_error=False, description="SIAGA_METRICS_TOKEN or an admin API token: Authorization: Bearer <token>"
)


def metrics_reader(
    state: StateDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Let through the metrics token or an admin API token (401 / 403 otherwise)."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing credential: send 'Authorization: Bearer <SIAGA_METRICS_TOKEN or an admin API token>'",
            headers=challenge,
        )
    expected = state.settings.metrics_token
    if expected is not None and hmac.compare_digest(
        credentials.credentials.encode("utf-8"), expected.get_secret_value().encode("utf-8")
    ):
        return
    with state.sessions() as session:
        row = token_repo.verify_token(session, token=credentials.credentials)
        role = None if row is None else Role(row.role)
    if role is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the metrics token or API token is unknown or revoked",
            headers=challenge,
        )
    if role is not Role.ADMIN:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"role {role.value} may not read metrics; this needs: admin"
        )


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics (HTTP ingest); SIAGA_METRICS_TOKEN or an admin token",
    dependencies=[Depends(metrics_reader)],
)
def metrics(request: Request) -> PlainTextResponse:
    counters: IngestMetrics = request.app.state.siaga_ingest.metrics
    return PlainTextResponse(counters.render().decode(), media_type="text/plain; version=0.0.4")
