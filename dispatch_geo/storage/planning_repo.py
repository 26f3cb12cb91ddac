"""Planning: saved what-if scenarios, and the assignment intervals behind a busy fraction. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch_geo.errors import ConflictError, NotFoundError
from dispatch_geo.storage._common import conflict_savepoint
from dispatch_geo.storage.models import AssignmentRow
from dispatch_geo.storage.planning_models import PlanningScenarioRow


def list_scenarios(session: Session, *, service: str | None = None) -> list[PlanningScenarioRow]:
    """Saved scenarios (of one service), newest first."""
    stmt = select(PlanningScenarioRow).order_by(
        PlanningScenarioRow.created_at.desc(), PlanningScenarioRow.id.desc()
    )
    if service is not None:
        stmt = stmt.where(PlanningScenarioRow.service == service)
    return list(session.scalars(stmt))


def get_scenario(session: Session, *, scenario_id: int) -> PlanningScenarioRow:
    """The scenario ``scenario_id``; :class:`NotFoundError` (coded, ``what=scenario``) if absent."""
    row = session.get(PlanningScenarioRow, scenario_id)
    if row is None:
        raise NotFoundError(f"scenario {scenario_id} does not exist").coded(what="scenario", id=scenario_id)
    return row


def create_scenario(
    session: Session,
    *,
    name: str,
    service: str,
    posts: list[dict[str, Any]],
    busy_fraction: float,
    busy_source: str,
    figures: dict[str, Any],
    at: datetime,
    by: str,
) -> PlanningScenarioRow:
    """Store a scenario; :class:`ConflictError` (``scenario_exists``) if the service has one so named."""
    try:
        with conflict_savepoint(session, f"scenario {name!r}"):
            row = PlanningScenarioRow(
                name=name,
                service=service,
                posts=posts,
                busy_fraction=busy_fraction,
                busy_source=busy_source,
                figures=figures,
                created_at=at,
                created_by=by,
            )
            session.add(row)
    except ConflictError as exc:
        raise ConflictError(f"a {service} scenario named {name!r} already exists").coded(
            "scenario_exists", name=name
        ) from exc
    return row


def delete_scenario(session: Session, *, scenario_id: int) -> None:
    """Remove a scenario (:class:`NotFoundError` if absent)."""
    session.delete(get_scenario(session, scenario_id=scenario_id))
    session.flush()


def assignment_intervals(
    session: Session, *, unit_ids: Iterable[str], since: datetime, until: datetime
) -> list[tuple[datetime, datetime | None]]:
    """``(assigned_at, released_at)`` of the units' assignments overlapping ``[since, until)``."""
    ids = list(unit_ids)
    if not ids:
        return []
    stmt = select(AssignmentRow.assigned_at, AssignmentRow.released_at).where(
        AssignmentRow.unit_id.in_(ids),
        AssignmentRow.assigned_at < until,
        or_(AssignmentRow.released_at.is_(None), AssignmentRow.released_at > since),
    )
    return [(a, r) for a, r in session.execute(stmt)]
