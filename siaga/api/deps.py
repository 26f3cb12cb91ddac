"""Dependencies shared by the routers: application state, the request's session, the caller and roles.

The request owns the transaction: a route that writes calls ``session.commit()`` once everything
succeeded; anything else (an error, a read) ends in a rollback when the session closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.storage import device_repo, operator_repo, token_repo
from dispatch_geo.storage.auth_models import Role
from siaga.api import sessions
from siaga.api.token_cache import TokenCache
from siaga.settings import Settings


@dataclass
class AppState:
    """Everything built once at start-up (see :func:`siaga.api.app.create_app`)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    geo: GeoContext
    demo_tokens: dict[Role, str] = field(default_factory=dict)
    """Demo tokens seeded at this start-up (development only), to show to the user."""
    principals: TokenCache[Principal] | None = None
    """Who each recently seen bearer token is, for ``SIAGA_TOKEN_CACHE_S`` seconds (None: not kept)."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the token's name (written to the audit trail) and its role.

    ``unit_id`` is set for the device role only: the one unit whose position the caller may report and
    whose assignment it may read (a device-role API token bound with ``--unit``, or a device's own
    credential used as a bearer token).
    """

    name: str
    role: Role
    unit_id: str | None = None
    roles: frozenset[Role] = frozenset()
    """Every role of the caller: an operator account may hold several (a token has its one ``role``)."""
    username: str | None = None
    """The operator account behind a console session (None for an API token)."""
    desk: str | None = None
    session_id: int | None = None

    def __post_init__(self) -> None:
        if not self.roles:
            object.__setattr__(self, "roles", frozenset({self.role}))


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.siaga
    return state


async def get_session(state: Annotated[AppState, Depends(get_state)]) -> AsyncIterator[Session]:
    """The request's session, closed (rolling back what was not committed) when the request ends.

    An *async* generator on purpose: FastAPI runs the teardown of a sync generator dependency in the
    same thread pool as the endpoints, so under load (every worker thread waiting for a database
    connection) the teardowns that would return connections to the pool could never run. A session
    still in a transaction is closed (a ROLLBACK, a network round trip) in a small thread pool of its
    own (:func:`teardown_limiter`), so it neither blocks the event loop nor waits behind the endpoints;
    one that holds no connection is closed on the loop (no I/O).
    """
    session = state.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.close, limiter=teardown_limiter())
        else:
            session.close()


TEARDOWN_THREADS = 8
_teardown_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


def teardown_limiter() -> anyio.CapacityLimiter:
    """The running event loop's own limiter for closing sessions (``TEARDOWN_THREADS`` at once)."""
    loop = asyncio.get_running_loop()
    limiter = _teardown_limiters.get(loop)
    if limiter is None:
        limiter = _teardown_limiters[loop] = anyio.CapacityLimiter(TEARDOWN_THREADS)
    return limiter


def now_utc() -> datetime:
    """The request's clock: aware UTC."""
    return datetime.now(UTC)


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="API token: Authorization: Bearer <token>")


ROLE_PRECEDENCE = (Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.PLANNER, Role.DEVICE)
"""The role named in messages for a person holding several."""


def _session_principal(state: AppState, request: Request, cookie: str) -> Principal:
    """The operator of a console session cookie (see :mod:`siaga.api.sessions`)."""
    with state.sessions() as session:
        try:
            live = sessions.resolve(session, request, settings=state.settings, cookie=cookie, now=now_utc())
        finally:
            session.commit()  # an expired session is ended, an active one touched, even on refusal
    person = live.operator
    role = next((r for r in ROLE_PRECEDENCE if r in person.roles), None)
    if role is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"operator {person.username} holds no role")
    return Principal(
        name=operator_repo.audit_name(person.username, live.row.desk),
        role=role,
        roles=person.roles,
        username=person.username,
        desk=live.row.desk,
        session_id=live.row.id,
    )


def current_principal(
    state: StateDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by the bearer token, else by the console session cookie; 401 without either.

    A bearer token wins over a cookie (tools and devices keep working as before). The lookup uses a
    short session of its own, so no connection is held between authentication and the endpoint (a
    request waiting for a worker thread must not sit on a pooled connection); a token's answer is kept
    for a few seconds (:mod:`siaga.api.token_cache`), a session cookie's is not (idle timeout, logout).
    """
    if credentials is None or not credentials.credentials:
        cookie = request.cookies.get(sessions.COOKIE)
        if cookie:
            return _session_principal(state, request, cookie)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API token: send the header 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    cache = state.principals
    principal = None if cache is None else cache.get(credentials.credentials)
    if principal is None:
        principal = _look_up(state, credentials.credentials)
        if principal is not None and cache is not None:
            cache.put(credentials.credentials, principal)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API token is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def _look_up(state: AppState, token: str) -> Principal | None:
    """The caller ``token`` names in the database (an API token or a device secret), or None."""
    with state.sessions() as session:
        if token.startswith(device_repo.SECRET_SCHEME):  # a device's own secret
            device = device_repo.identify_by_secret(session, secret=token)
            if device is not None:
                return Principal(name=device.login, role=Role.DEVICE, unit_id=device.unit_id)
            return None
        row = token_repo.verify_token(session, token=token)
        if row is not None and (row.role != Role.DEVICE or row.unit_id is not None):
            return Principal(name=row.name, role=Role(row.role), unit_id=row.unit_id)
    return None


def require_role(*roles: Role, action: str) -> Callable[[Principal], Principal]:
    """A dependency letting through only callers in ``roles`` (403 naming the roles otherwise)."""
    allowed = ", ".join(r.value for r in roles)

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.roles & set(roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"role {principal.role.value} may not {action}; this needs one of: {allowed}",
            )
        return principal

    return dependency


DispatcherDep = Annotated[
    Principal,
    Depends(require_role(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, action="dispatch (incidents, units)")),
]
AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN, action="administer the fleet"))]
DeviceDep = Annotated[
    Principal, Depends(require_role(Role.DEVICE, action="read a device's own unit and assignment"))
]
PositionReporterDep = Annotated[
    Principal,
    Depends(
        require_role(
            Role.DEVICE,
            Role.DISPATCHER,
            Role.SUPERVISOR,
            Role.ADMIN,
            action="report a unit's position (device: its own unit)",
        )
    ),
]


# --- who may read what (issue 10): every route names the roles it serves; see docs/dispatch.md ------
# There is deliberately no "any valid token" alias: a device token reads nothing of this API.

CALLER_DATA_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
"""Roles that see who called (an incident's ``caller_phone``); for the others it is null."""

OperationsReaderDep = Annotated[
    Principal,
    Depends(
        require_role(
            Role.DISPATCHER,
            Role.SUPERVISOR,
            Role.ADMIN,
            Role.PLANNER,
            action="read the operational picture (incidents, units, coverage, map layers)",
        )
    ),
]
"""Reads for dispatchers, admins and planners (planners without caller identity); never devices."""


def sees_caller(principal: Principal) -> bool:
    """Whether ``principal`` may see caller identity (phone number); planners may not."""
    return bool(principal.roles & CALLER_DATA_ROLES)


SupervisorDep = Annotated[
    Principal,
    Depends(
        require_role(Role.SUPERVISOR, Role.ADMIN, action="open or close shifts and acknowledge handovers")
    ),
]
"""Shift actions: supervisors (and admins)."""
PersonDep = Annotated[
    Principal,
    Depends(
        require_role(
            Role.DISPATCHER, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN, action="use the console as a person"
        )
    ),
]
"""Any person's role (never a device): the console's own session, shifts, handovers."""
