"""Operator accounts (people, several roles each), console sessions, account audit, shifts, handover.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

``operators`` are the people at the desks (argon2id password hash only); ``operator_roles`` the roles
each holds (a person may hold several, ``supervisor`` included); ``operator_sessions`` one row per
console login (SHA-256 of the session cookie, the CSRF token, the desk, last activity for the idle
timeout); ``account_events`` audits logins, logouts, account administration and shift actions.
``shifts`` and ``shift_members`` hold who opened and closed a shift, who was on duty and the handover
(summary frozen at close, notes, acknowledgement). ``api_tokens.role`` admits ``supervisor``. Enum
values are frozen here, as in 0001.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

OLD_ROLES = ("dispatcher", "planner", "admin", "device")
ROLES = (*OLD_ROLES, "supervisor")
ACCOUNT_EVENT_KINDS = (
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


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _big_pk() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _role_check(roles: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{r}'" for r in roles)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_role"), type_="check")
        batch.create_check_constraint(op.f("ck_api_tokens_role"), f"role IN ({allowed})")


def upgrade() -> None:
    _role_check(ROLES)
    op.create_table(
        "operators",
        _big_pk(),
        sa.Column("username", sa.String(20), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False, comment="argon2id PHC string"),
        sa.Column("demo", sa.Boolean(), nullable=False, comment="well-known development account"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("password_changed_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("username", name="uq_operators_username"),
    )
    op.create_table(
        "operator_roles",
        sa.Column(
            "operator_id",
            sa.BigInteger(),
            sa.ForeignKey("operators.id", name="fk_operator_roles_operator_id_operators", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("role", _enum(ROLES, "role"), primary_key=True),
    )
    op.create_table(
        "operator_sessions",
        _big_pk(),
        sa.Column(
            "operator_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "operators.id", name="fk_operator_sessions_operator_id_operators", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("session_sha256", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("desk", sa.String(11), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_active_at", UtcDateTime(), nullable=False, comment="last action of the person"),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.UniqueConstraint("session_sha256", name="uq_operator_sessions_session_sha256"),
    )
    op.create_index("ix_operator_sessions_operator_id", "operator_sessions", ["operator_id"])
    op.create_table(
        "account_events",
        _big_pk(),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", _enum(ACCOUNT_EVENT_KINDS, "kind"), nullable=False),
        sa.Column("username", sa.String(32), nullable=False, comment="the account concerned"),
        sa.Column("by", sa.String(32), nullable=False, comment="who did it (username@desk, token, cli)"),
        sa.Column("detail", _json(), nullable=False),
    )
    op.create_index("ix_account_events_at", "account_events", ["at"])
    op.create_table(
        "shifts",
        _big_pk(),
        sa.Column("name", sa.String(32), nullable=False, comment="e.g. 07-15 (WIB)"),
        sa.Column("planned_start", UtcDateTime(), nullable=False),
        sa.Column("planned_end", UtcDateTime(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(32), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(32), nullable=True),
        sa.Column("handover_notes", sa.Text(), nullable=True),
        sa.Column("summary", _json(), nullable=True, comment="handover, frozen at close"),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_shifts_opened_at", "shifts", ["opened_at"])
    op.create_table(
        "shift_members",
        sa.Column(
            "shift_id",
            sa.BigInteger(),
            sa.ForeignKey("shifts.id", name="fk_shift_members_shift_id_shifts", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("username", sa.String(32), primary_key=True),
        sa.Column("desk", sa.String(32), nullable=True),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shift_members")
    op.drop_table("shifts")
    op.drop_table("account_events")
    op.drop_table("operator_sessions")
    op.drop_table("operator_roles")
    op.drop_table("operators")
    op.execute("DELETE FROM api_tokens WHERE role = 'supervisor'")
    _role_check(OLD_ROLES)
