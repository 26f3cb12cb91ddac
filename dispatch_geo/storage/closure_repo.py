"""Road closures: add, list (active or recent), lift. Never commits; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.errors import ConflictError, NotFoundError
from dispatch_geo.storage.closure_models import RoadClosureRow


def add_closure(
    session: Session,
    *,
    reason: str,
    edges: list[list[int]],
    area: dict[str, Any] | None,
    at: datetime,
    by: str,
    expires_at: datetime,
) -> RoadClosureRow:
    row = RoadClosureRow(
        reason=reason, edges=edges, area=area, created_at=at, created_by=by, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    return row


def list_active(session: Session, *, now: datetime) -> list[RoadClosureRow]:
    """Closures not lifted and not yet expired at ``now``, oldest first."""
    stmt = (
        select(RoadClosureRow)
        .where(RoadClosureRow.lifted_at.is_(None), RoadClosureRow.expires_at > now)
        .order_by(RoadClosureRow.id)
    )
    return list(session.scalars(stmt))


def list_recent(session: Session, *, limit: int = 200) -> list[RoadClosureRow]:
    """The latest closures, active or not, newest first (the audit view)."""
    return list(session.scalars(select(RoadClosureRow).order_by(RoadClosureRow.id.desc()).limit(limit)))


def get_closure(session: Session, *, closure_id: int) -> RoadClosureRow:
    row = session.get(RoadClosureRow, closure_id)
    if row is None:
        raise NotFoundError(f"road closure {closure_id} does not exist").coded(what="closure", id=closure_id)
    return row


def lift_closure(session: Session, *, closure_id: int, at: datetime, by: str) -> RoadClosureRow:
    """Record the lifting of a closure; a closure already lifted is a conflict (nothing changes)."""
    row = get_closure(session, closure_id=closure_id)
    if row.lifted_at is not None:
        raise ConflictError(f"road closure {closure_id} was already lifted").coded(
            "closure_already_lifted", id=closure_id
        )
    row.lifted_at, row.lifted_by = at, by
    session.flush()
    return row
