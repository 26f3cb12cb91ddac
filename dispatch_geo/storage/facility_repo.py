"""Facilities table: list, get, insert or update (upsert by id). Never commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.domain.facilities import Facility, FacilityKind
from dispatch_geo.errors import ConflictError, NotFoundError
from dispatch_geo.storage.models import FacilityRow

log = logging.getLogger(__name__)


def list_facilities(
    session: Session, *, kinds: Iterable[FacilityKind] | None = None, active_only: bool = False
) -> list[FacilityRow]:
    """Facilities, optionally of some kinds and only active ones, ordered by kind then id."""
    stmt = select(FacilityRow).order_by(FacilityRow.kind, FacilityRow.id)
    if kinds is not None:
        stmt = stmt.where(FacilityRow.kind.in_([FacilityKind(k) for k in kinds]))
    if active_only:
        stmt = stmt.where(FacilityRow.active.is_(True))
    return list(session.scalars(stmt))


def get_facility(session: Session, *, facility_id: str) -> FacilityRow:
    """The facility ``facility_id``; :class:`NotFoundError` (coded, ``what=facility``) if absent."""
    row = session.get(FacilityRow, facility_id)
    if row is None:
        raise NotFoundError(f"facility {facility_id!r} does not exist").coded(what="facility", id=facility_id)
    return row


def _apply(row: FacilityRow, facility: Facility) -> None:
    row.name, row.kind, row.location = facility.name, facility.kind, facility.location
    row.approximate, row.source, row.note, row.active = (
        facility.approximate,
        facility.source,
        facility.note,
        facility.active,
    )


def create_facility(session: Session, *, facility: Facility) -> FacilityRow:
    """Insert ``facility``; :class:`ConflictError` (``facility_exists``) if the id is taken."""
    if session.get(FacilityRow, facility.id) is not None:
        raise ConflictError(f"facility {facility.id!r} already exists; change it with PATCH").coded(
            "facility_exists", id=facility.id
        )
    row = FacilityRow(id=facility.id)
    _apply(row, facility)
    session.add(row)
    session.flush()
    return row


def upsert_facilities(session: Session, *, facilities: Iterable[Facility]) -> tuple[int, int]:
    """Insert new facilities and overwrite existing ones by id; returns (inserted, updated)."""
    inserted = updated = 0
    for facility in facilities:
        row = session.get(FacilityRow, facility.id)
        if row is None:
            row = FacilityRow(id=facility.id)
            session.add(row)
            inserted += 1
        else:
            updated += 1
        _apply(row, facility)
    session.flush()
    log.info("facilities: %d inserted, %d updated", inserted, updated)
    return inserted, updated


def update_facility(session: Session, *, facility_id: str, **changes: object) -> FacilityRow:
    """Change some fields of a facility (names as in :class:`Facility`); returns the row."""
    row = get_facility(session, facility_id=facility_id)
    _apply(row, replace(row.to_domain(), **changes))  # type: ignore[arg-type]
    session.flush()
    return row
