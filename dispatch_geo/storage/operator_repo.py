"""Repository for operator accounts and their console sessions. Keyword-only, never commits.

A session cookie is a 256-bit random string shown to the browser only; the database keeps its SHA-256
hash (as for API tokens), the CSRF token the console echoes in a header, the desk, and the time of the
person's last action (for the idle timeout). Every account change is audited in ``account_events``.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage._common import conflict_savepoint
from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.models import ID_LENGTH
from dispatch_geo.storage.operator_models import (
    DESK_MAX_LENGTH,
    DISPLAY_NAME_LENGTH,
    USERNAME_MAX_LENGTH,
    AccountEventKind,
    AccountEventRow,
    OperatorRoleRow,
    OperatorRow,
    OperatorSessionRow,
)
from dispatch_geo.storage.passwords import hash_password, needs_rehash, verify_password
from dispatch_geo.storage.token_repo import hash_token

log = logging.getLogger(__name__)

PERSON_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
"""Roles a person may hold (``device`` is for machines only)."""
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Operator:
    """An account as the rest of the program sees it."""

    username: str
    display_name: str
    roles: frozenset[Role]
    disabled: bool
    demo: bool


@dataclass(frozen=True)
class LiveSession:
    """A valid console session and its person."""

    row: OperatorSessionRow
    operator: Operator


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not 1 <= len(username) <= USERNAME_MAX_LENGTH or not _USERNAME.match(username):
        raise InputError(
            f"username {username!r} must have 1 to {USERNAME_MAX_LENGTH} characters: lower-case letters, "
            "digits, '.', '_' or '-', starting with a letter or digit"
        ).coded("username_rules", max=USERNAME_MAX_LENGTH)
    return username


def check_desk(desk: str | None) -> str | None:
    """A desk name, stripped, or None when empty; :class:`InputError` when too long or containing '@'."""
    desk = (desk or "").strip()
    if not desk:
        return None
    if len(desk) > DESK_MAX_LENGTH or "@" in desk:
        raise InputError(
            f"desk name {desk!r} must have at most {DESK_MAX_LENGTH} characters, without '@'"
        ).coded("desk_rules", max=DESK_MAX_LENGTH)
    return desk


def check_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    chosen = set()
    for role in roles:
        try:
            member = Role(role)
        except ValueError:
            member = None
        if member not in PERSON_ROLES:
            expected = ", ".join(r.value for r in PERSON_ROLES)
            raise InputError(f"role {role!r} is not a person's role; expected some of {expected}").coded(
                "role_unknown", role=str(role)
            )
        chosen.add(member)
    if not chosen:
        raise InputError("an operator needs at least one role").coded("role_unknown", role="")
    return frozenset(r for r in chosen if r is not None)


def audit_name(username: str, desk: str | None) -> str:
    """What the audit trail records for an action: ``username@desk`` or ``username`` (≤ 32 characters)."""
    return f"{username}@{desk}" if desk else username


def record_account_event(
    session: Session,
    *,
    kind: AccountEventKind,
    username: str,
    by: str,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
) -> AccountEventRow:
    row = AccountEventRow(
        kind=kind,
        username=username[:ID_LENGTH],
        by=by[:ID_LENGTH],
        at=require_aware(at),
        detail=dict(detail or {}),
    )
    session.add(row)
    session.flush()
    return row


def list_account_events(session: Session, *, limit: int = 200) -> list[AccountEventRow]:
    stmt = select(AccountEventRow).order_by(AccountEventRow.at.desc(), AccountEventRow.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def _roles(session: Session, operator_id: int) -> frozenset[Role]:
    stmt = select(OperatorRoleRow.role).where(OperatorRoleRow.operator_id == operator_id)
    return frozenset(Role(r) for r in session.scalars(stmt))


def _operator(session: Session, row: OperatorRow) -> Operator:
    return Operator(
        username=row.username,
        display_name=row.display_name,
        roles=_roles(session, row.id),
        disabled=row.disabled_at is not None,
        demo=row.demo,
    )


def _row(session: Session, username: str) -> OperatorRow:
    row = session.scalars(
        select(OperatorRow).where(OperatorRow.username == username.strip().lower())
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"no operator named {username!r}").coded("operator_not_found", username=username)
    return row


def create_operator(
    session: Session,
    *,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    at: datetime,
    by: str,
    display_name: str | None = None,
    demo: bool = False,
) -> Operator:
    """A new account; InputError for a bad name, password or role, ConflictError if the name is taken."""
    username = check_username(username)
    chosen = check_roles(roles)
    name = (display_name or username).strip()
    if not name or len(name) > DISPLAY_NAME_LENGTH:
        raise InputError(f"display name must have 1 to {DISPLAY_NAME_LENGTH} characters")
    if session.scalar(select(OperatorRow.id).where(OperatorRow.username == username)) is not None:
        raise ConflictError(f"an operator named {username!r} already exists").coded(
            "operator_exists", username=username
        )
    row = OperatorRow(
        username=username,
        display_name=name,
        password_hash=hash_password(password),
        demo=demo,
        created_at=require_aware(at),
        password_changed_at=at,
    )
    with conflict_savepoint(session, f"operator {username!r} could not be created"):
        session.add(row)
    session.add_all(OperatorRoleRow(operator_id=row.id, role=r) for r in sorted(chosen))
    session.flush()
    record_account_event(
        session,
        kind=AccountEventKind.CREATED,
        username=username,
        by=by,
        at=at,
        detail={"roles": sorted(chosen)},
    )
    log.info("operator %r created with roles %s", username, sorted(chosen))
    return _operator(session, row)


def get_operator(session: Session, *, username: str) -> Operator:
    return _operator(session, _row(session, username))


def list_operators(session: Session) -> list[Operator]:
    rows = session.scalars(select(OperatorRow).order_by(OperatorRow.username))
    return [_operator(session, r) for r in rows]


def count_operators(session: Session) -> int:
    return len(list(session.scalars(select(OperatorRow.id))))


def set_roles(
    session: Session, *, username: str, roles: Iterable[Role | str], at: datetime, by: str
) -> Operator:
    """Give an account exactly ``roles`` (effective from its next request); audited when they change."""
    row = _row(session, username)
    chosen = check_roles(roles)
    before = _roles(session, row.id)
    if chosen == before:
        return _operator(session, row)
    session.execute(delete(OperatorRoleRow).where(OperatorRoleRow.operator_id == row.id))
    session.add_all(OperatorRoleRow(operator_id=row.id, role=r) for r in sorted(chosen))
    detail = {"roles": sorted(str(r) for r in chosen), "before": sorted(str(r) for r in before)}
    record_account_event(
        session, kind=AccountEventKind.ROLES_CHANGED, username=row.username, by=by, at=at, detail=detail
    )
    session.flush()
    return _operator(session, row)


def keep_an_admin(
    session: Session,
    *,
    username: str,
    roles: Iterable[Role | str] | None = None,
    disabled: bool | None = None,
) -> None:
    """Refuse (ConflictError, code ``last_admin``) a change of roles or of the disabled flag that would
    leave no enabled account holding the admin role: nobody could then manage accounts from the
    console, only from the server's command line (``dispatch-geo users``, which this does not guard:
    it is the way back)."""
    row = _row(session, username)
    before = _roles(session, row.id)
    after = check_roles(roles) if roles is not None else before
    disabled_after = row.disabled_at is not None if disabled is None else disabled
    was_admin = Role.ADMIN in before and row.disabled_at is None
    if not was_admin or (Role.ADMIN in after and not disabled_after):
        return
    other_admins = (
        select(func.count())
        .select_from(OperatorRow)
        .join(OperatorRoleRow, OperatorRoleRow.operator_id == OperatorRow.id)
        .where(
            OperatorRoleRow.role == Role.ADMIN, OperatorRow.disabled_at.is_(None), OperatorRow.id != row.id
        )
    )
    if not session.scalar(other_admins):
        raise ConflictError(
            f"{row.username} is the last enabled account with the admin role: give another account "
            "the admin role first"
        ).coded("last_admin", username=row.username)


def set_disabled(session: Session, *, username: str, disabled: bool, at: datetime, by: str) -> Operator:
    """Disable (ending every open session at once) or re-enable an account; audited."""
    row = _row(session, username)
    if disabled and row.disabled_at is None:
        row.disabled_at = require_aware(at)
        _end_sessions(session, operator_id=row.id, at=at, reason="disabled")
        record_account_event(session, kind=AccountEventKind.DISABLED, username=row.username, by=by, at=at)
    elif not disabled and row.disabled_at is not None:
        row.disabled_at = None
        record_account_event(session, kind=AccountEventKind.ENABLED, username=row.username, by=by, at=at)
    session.flush()
    return _operator(session, row)


def set_password(
    session: Session, *, username: str, password: str, at: datetime, by: str, reset: bool
) -> Operator:
    """A new password (``reset``: by an admin, ending the person's sessions); audited."""
    row = _row(session, username)
    row.password_hash = hash_password(password)
    row.password_changed_at = require_aware(at)
    kind = AccountEventKind.PASSWORD_RESET if reset else AccountEventKind.PASSWORD_CHANGED
    if reset:
        _end_sessions(session, operator_id=row.id, at=at, reason="password_reset")
    record_account_event(session, kind=kind, username=row.username, by=by, at=at)
    session.flush()
    return _operator(session, row)


def verify_login(session: Session, *, username: str, password: str) -> OperatorRow | None:
    """The account if ``password`` is right (disabled ones included: the caller refuses them), else None."""
    try:
        row = _row(session, check_username(username))
    except (InputError, NotFoundError):
        verify_password(_dummy_hash(), password)  # as slow as a known name: no username enumeration by timing
        return None
    if not verify_password(row.password_hash, password):
        return None
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    return row


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def start_session(
    session: Session, *, operator: OperatorRow, desk: str | None, at: datetime
) -> tuple[OperatorSessionRow, str]:
    """A new console session for ``operator``; returns the row and the cookie value (shown once)."""
    cookie = secrets.token_urlsafe(32)
    row = OperatorSessionRow(
        operator_id=operator.id,
        session_sha256=hash_token(cookie),
        csrf_token=secrets.token_urlsafe(32),
        desk=check_desk(desk),
        created_at=require_aware(at),
        last_active_at=at,
    )
    session.add(row)
    session.flush()
    return row, cookie


def find_session(session: Session, *, cookie: str) -> tuple[OperatorSessionRow, OperatorRow] | None:
    """The open session of ``cookie`` and its account, or None (unknown or ended)."""
    stmt = (
        select(OperatorSessionRow, OperatorRow)
        .join(OperatorRow, OperatorRow.id == OperatorSessionRow.operator_id)
        .where(OperatorSessionRow.session_sha256 == hash_token(cookie), OperatorSessionRow.ended_at.is_(None))
    )
    found = session.execute(stmt).one_or_none()
    return None if found is None else (found[0], found[1])


def ended_reason(session: Session, *, cookie: str) -> str | None:
    """Why the session of ``cookie`` ended (``idle_timeout``, ``logout``, ``disabled``...), or None."""
    stmt = select(OperatorSessionRow.end_reason).where(
        OperatorSessionRow.session_sha256 == hash_token(cookie)
    )
    return session.scalars(stmt).first()


def live_session(session: Session, row: OperatorSessionRow, operator: OperatorRow) -> LiveSession:
    return LiveSession(row=row, operator=_operator(session, operator))


def end_session(session: Session, *, row: OperatorSessionRow, at: datetime, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = require_aware(at)
        row.end_reason = reason
        session.flush()


def _end_sessions(session: Session, *, operator_id: int, at: datetime, reason: str) -> None:
    stmt = select(OperatorSessionRow).where(
        OperatorSessionRow.operator_id == operator_id, OperatorSessionRow.ended_at.is_(None)
    )
    for row in session.scalars(stmt):
        end_session(session, row=row, at=at, reason=reason)


def active_sessions(session: Session, *, since: datetime) -> list[tuple[OperatorSessionRow, OperatorRow]]:
    """Open sessions whose person acted at or after ``since`` (the operators at their desks now)."""
    stmt = (
        select(OperatorSessionRow, OperatorRow)
        .join(OperatorRow, OperatorRow.id == OperatorSessionRow.operator_id)
        .where(OperatorSessionRow.ended_at.is_(None), OperatorSessionRow.last_active_at >= since)
        .order_by(OperatorSessionRow.created_at)
    )
    return [(s, o) for s, o in session.execute(stmt).all()]
