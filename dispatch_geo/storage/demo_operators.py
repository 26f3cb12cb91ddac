"""Named demo operators with well-known passwords, for ``dispatch-geo demo`` in development only.

Like the demo API tokens they are marked ``demo``; the server refuses to start in production while
any of them is still enabled (``siaga.api.app.build_state``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.storage import operator_repo
from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.operator_models import OperatorRow

DEMO_OPERATORS: tuple[tuple[str, str, str, tuple[Role, ...]], ...] = (
    ("sari", "Sari Wulandari", "sari-siaga-112", (Role.SUPERVISOR,)),
    ("rudi", "Rudi Hartono", "rudi-siaga-112", (Role.SUPERVISOR,)),
    ("siti", "Siti Aminah", "siti-siaga-112", (Role.DISPATCHER,)),
    ("budi", "Budi Santoso", "budi-siaga-112", (Role.DISPATCHER,)),
    ("andi", "Andi Pratama", "andi-siaga-112", (Role.PLANNER,)),
    ("admin", "Admin Siaga", "admin-siaga-112", (Role.ADMIN,)),
)
"""username, display name, password, roles (development only; printed by the demo)."""


def seed_demo_operators(session: Session, *, at: datetime) -> list[tuple[str, str, tuple[Role, ...]]]:
    """Create the missing :data:`DEMO_OPERATORS`; returns (username, password, roles) of all of them."""
    existing = set(session.scalars(select(OperatorRow.username)))
    for username, name, password, roles in DEMO_OPERATORS:
        if username not in existing:
            operator_repo.create_operator(
                session,
                username=username,
                display_name=name,
                password=password,
                roles=roles,
                at=at,
                by="demo",
                demo=True,
            )
    return [(username, password, roles) for username, _, password, roles in DEMO_OPERATORS]


def active_demo_operators(session: Session) -> list[str]:
    """Usernames of demo accounts still enabled (refused in production)."""
    stmt = select(OperatorRow.username).where(OperatorRow.demo.is_(True), OperatorRow.disabled_at.is_(None))
    return list(session.scalars(stmt))
