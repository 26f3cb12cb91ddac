"""Repository for API tokens: create (returning the token once), verify, list, revoke, demo seeding.

Tokens are 256-bit random strings (``secrets.token_urlsafe``) prefixed ``siaga_``; only their SHA-256
hash is stored. Like every repository: keyword-only, takes a session, never commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage._common import conflict_savepoint
from dispatch_geo.storage.auth_models import TOKEN_PREFIX_LENGTH, ApiTokenRow, Role
from dispatch_geo.storage.fleet_repo import get_unit, list_units
from dispatch_geo.storage.models import ID_LENGTH

log = logging.getLogger(__name__)

TOKEN_SCHEME = "siaga_"
"""Prefix of every generated token (lets secret scanners recognise leaked tokens)."""

DEMO_TOKENS: Mapping[Role, str] = {
    Role.DISPATCHER: "demo-dispatcher-token",
    Role.PLANNER: "demo-planner-token",
    Role.ADMIN: "demo-admin-token",
    Role.DEVICE: "demo-device-token",
    Role.SUPERVISOR: "demo-supervisor-token",
}
"""Well-known tokens seeded in development mode only; refused in production."""


def hash_token(token: str) -> str:
    """Hex SHA-256 of ``token`` (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token."""
    return TOKEN_SCHEME + secrets.token_urlsafe(32)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > ID_LENGTH:
        raise InputError(f"token name {name!r} must have 1 to {ID_LENGTH} characters")
    return name


def create_token(
    session: Session,
    *,
    name: str,
    role: Role | str,
    at: datetime,
    token: str | None = None,
    demo: bool = False,
    unit_id: str | None = None,
) -> tuple[ApiTokenRow, str]:
    """Store a new token for ``name`` in ``role``; returns the row and the token (shown once).

    A device-role token must be bound to one unit (``unit_id``); other roles must not be.

    Raises
    ------
    InputError
        Unknown role or bad name.
    ConflictError
        A token with this name already exists (revoked ones included: names stay unique in the audit).
    """
    try:
        role = Role(role)
    except ValueError as exc:
        expected = ", ".join(r.value for r in Role)
        raise InputError(f"role {role!r} is unknown; expected one of {expected}") from exc
    name = _check_name(name)
    if role is Role.DEVICE and unit_id is None:
        raise InputError("a device token must be bound to one unit: give the unit's call sign")
    if role is not Role.DEVICE and unit_id is not None:
        raise InputError(f"only device tokens are bound to a unit, not {role.value} tokens")
    if unit_id is not None:
        get_unit(session, unit_id=unit_id)  # NotFoundError names an unknown unit
    token = token or new_token()
    row = ApiTokenRow(
        name=name,
        role=role,
        token_sha256=hash_token(token),
        token_prefix=token[:TOKEN_PREFIX_LENGTH],
        demo=demo,
        created_at=require_aware(at, "token creation time"),
        unit_id=unit_id,
    )
    if session.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == name)) is not None:
        raise ConflictError(f"a token named {name!r} already exists; choose another name")
    with conflict_savepoint(session, f"token {name!r} could not be created"):
        session.add(row)
    log.info("API token %r created with role %s", name, role)
    return row, token


def verify_token(session: Session, *, token: str) -> ApiTokenRow | None:
    """The active (not revoked) token row matching ``token``, or None."""
    stmt = select(ApiTokenRow).where(
        ApiTokenRow.token_sha256 == hash_token(token), ApiTokenRow.revoked_at.is_(None)
    )
    return session.scalars(stmt).one_or_none()


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[ApiTokenRow]:
    """Tokens ordered by creation."""
    stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at, ApiTokenRow.id)
    if not include_revoked:
        stmt = stmt.where(ApiTokenRow.revoked_at.is_(None))
    return list(session.scalars(stmt))


def revoke_token(session: Session, *, name: str, at: datetime) -> ApiTokenRow:
    """Revoke the token called ``name``; :class:`NotFoundError` if there is none, a no-op if revoked."""
    row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.name == name)).one_or_none()
    if row is None:
        raise NotFoundError(f"no token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = require_aware(at, "revocation time")
        session.flush()
        log.info("API token %r revoked", name)
    return row


def count_tokens(session: Session, *, active_only: bool = True, demo: bool | None = None) -> int:
    """How many tokens exist (active only by default; ``demo`` filters demo / non-demo tokens)."""
    stmt = select(func.count()).select_from(ApiTokenRow)
    if active_only:
        stmt = stmt.where(ApiTokenRow.revoked_at.is_(None))
    if demo is not None:
        stmt = stmt.where(ApiTokenRow.demo.is_(demo))
    return int(session.scalar(stmt) or 0)


DEMO_DEVICE_UNIT = "AMB-SIAK-01"
"""The unit the demo device token reports for (the first unit of the example fleet)."""


def seed_demo_tokens(session: Session, *, at: datetime) -> dict[Role, str]:
    """Create the well-known :data:`DEMO_TOKENS` (development only; the caller checks the mode).

    The device token is bound to :data:`DEMO_DEVICE_UNIT`, or to the first unit when the fleet has no
    such call sign; without any unit there is no demo device token.
    """
    seeded = {}
    for role, token in DEMO_TOKENS.items():
        unit_id = None
        if role is Role.DEVICE:
            unit_id = _demo_device_unit(session)
            if unit_id is None:
                continue
        create_token(
            session, name=f"demo-{role.value}", role=role, at=at, token=token, demo=True, unit_id=unit_id
        )
        seeded[role] = token
    return seeded


def _demo_device_unit(session: Session) -> str | None:
    units = [u.id for u in list_units(session)]
    if DEMO_DEVICE_UNIT in units:
        return DEMO_DEVICE_UNIT
    return units[0] if units else None
