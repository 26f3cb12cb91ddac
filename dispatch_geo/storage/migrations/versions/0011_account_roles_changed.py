"""An operator's roles changed by an admin is an account event (audited like a disable or a reset).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Widens the CHECK on ``account_events.kind`` by ``roles_changed``; downgrading removes those events
first (the older schema cannot hold them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

KINDS = (
    "login",
    "login_failed",
    "logout",
    "idle_timeout",
    "password_changed",
    "password_reset",
    "created",
    "disabled",
    "enabled",
    "shift_opened",
    "shift_closed",
    "handover_acknowledged",
)
NEW_KINDS = (*KINDS, "roles_changed")


def _kind_check(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("account_events") as batch:
        batch.drop_constraint(op.f("ck_account_events_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_account_events_kind"), f"kind IN ({allowed})")


def upgrade() -> None:
    _kind_check(NEW_KINDS)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM account_events WHERE kind = 'roles_changed'"))
    _kind_check(KINDS)
