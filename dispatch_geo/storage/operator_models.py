"""Tables of operator accounts: the people at the 112 desks, their roles, their console sessions.

API tokens (``auth_models``) stay for machines and devices; people log in with a username and a
password (argon2id hash only) and get a console session. Accounts are disabled, never deleted, so the
audit trail (``by`` columns: ``username`` or ``username@desk``) keeps pointing at a known person.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.auth_models import TOKEN_HASH_LENGTH, Role
from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK, JsonDocument
from dispatch_geo.storage.types import UtcDateTime, enum_column_type

USERNAME_MAX_LENGTH = 20
"""Room for ``username@desk`` in the 32-character ``by`` columns of the audit tables."""
DESK_MAX_LENGTH = ID_LENGTH - USERNAME_MAX_LENGTH - 1
"""A desk or terminal name given at login ("Meja 1"): 11 characters."""
DISPLAY_NAME_LENGTH = 120
PASSWORD_HASH_LENGTH = 200
"""Room for an argon2id PHC string (about 100 characters)."""
CSRF_TOKEN_LENGTH = 64


class AccountEventKind(StrEnum):
    """What an account event records (the audit of logins and account administration)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    IDLE_TIMEOUT = "idle_timeout"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    CREATED = "created"
    DISABLED = "disabled"
    ENABLED = "enabled"
    SHIFT_OPENED = "shift_opened"
    SHIFT_CLOSED = "shift_closed"
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged"
    ROLES_CHANGED = "roles_changed"


class OperatorRow(Base):
    """One person who works the console."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(PASSWORD_HASH_LENGTH), comment="argon2id PHC string")
    demo: Mapped[bool] = mapped_column(comment="well-known development account")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OperatorRoleRow(Base):
    """One role an operator holds (a person may hold several)."""

    __tablename__ = "operator_roles"

    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"), primary_key=True)


class OperatorSessionRow(Base):
    """One console login: the cookie's hash, the CSRF token, the desk, and when it was last used."""

    __tablename__ = "operator_sessions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    operator_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("operators.id", ondelete="CASCADE"))
    session_sha256: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(CSRF_TOKEN_LENGTH))
    desk: Mapped[str | None] = mapped_column(String(DESK_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_active_at: Mapped[datetime] = mapped_column(UtcDateTime(), comment="last action of the person")
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(ID_LENGTH))

    __table_args__ = (Index("ix_operator_sessions_operator_id", "operator_id"),)


class AccountEventRow(Base):
    """Audit of logins, logouts, account administration and shift actions."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[AccountEventKind] = mapped_column(enum_column_type(AccountEventKind, "kind"))
    username: Mapped[str] = mapped_column(String(ID_LENGTH), comment="the account concerned")
    by: Mapped[str] = mapped_column(String(ID_LENGTH), comment="who did it (username@desk, token, cli)")
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    __table_args__ = (Index("ix_account_events_at", "at"),)
