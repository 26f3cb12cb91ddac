"""Console sessions of operator accounts: the cookie, the CSRF check, the idle timeout.

- The session cookie ``siaga_session`` is HttpOnly, ``SameSite=Strict``, ``Path=/`` (``Secure`` in
  production, :attr:`Settings.cookie_secure`); the database keeps only its SHA-256.
- CSRF: a *synchronizer token*. Each session has a random CSRF token, given to the console by the login
  answer and ``GET /auth/session``; every state-changing request (anything but GET/HEAD/OPTIONS) made
  with the cookie must carry it in the ``X-CSRF-Token`` header, else 403 ``csrf_failed``. Another site
  can neither read the token (same-origin policy) nor send the cookie (SameSite=Strict).
- Idle timeout: a session whose person did nothing for ``SIAGA_SESSION_IDLE_TIMEOUT_S`` is ended (401
  ``session_expired``). What counts as the person acting: a state-changing request, or a read sent with
  ``X-Siaga-Activity: user`` (the console adds it after a click or key press). The console's automatic
  one-second polls do not keep a session alive.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from fastapi import HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from dispatch_geo.storage import operator_repo
from dispatch_geo.storage.operator_models import AccountEventKind
from siaga.settings import Settings

COOKIE = "siaga_session"
CSRF_HEADER = "X-CSRF-Token"
ACTIVITY_HEADER = "X-Siaga-Activity"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY_S = 5.0
"""A read marked as activity updates ``last_active_at`` at most this often (fewer writes)."""


class CodedHTTPException(HTTPException):
    """An ``HTTPException`` with a message ``code`` + ``params`` the console translates."""

    def __init__(
        self, status_code: int, detail: str, *, code: str, params: dict[str, object] | None = None
    ) -> None:
        headers = {"WWW-Authenticate": "Bearer"} if status_code == status.HTTP_401_UNAUTHORIZED else None
        super().__init__(status_code, detail, headers=headers)
        self.code = code
        self.params = params or {}


def set_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        COOKIE, value, httponly=True, samesite="strict", secure=settings.cookie_secure, path="/"
    )


def clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=settings.cookie_secure, path="/")


def check_csrf(request: Request, expected: str) -> None:
    """403 ``csrf_failed`` when a state-changing request lacks the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not secrets.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")):
        raise CodedHTTPException(
            status.HTTP_403_FORBIDDEN,
            f"state-changing request without the session's CSRF token (header {CSRF_HEADER})",
            code="csrf_failed",
        )


def _expired(settings: Settings) -> CodedHTTPException:
    return CodedHTTPException(
        status.HTTP_401_UNAUTHORIZED,
        f"the session ended after {settings.session_idle_timeout_s:g} s without activity: log in again",
        code="session_expired",
        params={"idle_timeout_s": settings.session_idle_timeout_s},
    )


def resolve(
    session: Session, request: Request, *, settings: Settings, cookie: str, now: datetime
) -> operator_repo.LiveSession:
    """The live session of ``cookie`` (its activity recorded), or a 401/403 naming why not.

    The caller commits ``session`` (an ended or touched session is written either way).
    """
    found = operator_repo.find_session(session, cookie=cookie)
    if found is None:
        if operator_repo.ended_reason(session, cookie=cookie) == "idle_timeout":
            raise _expired(settings)
        raise CodedHTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "not logged in (no valid session): log in again",
            code="not_logged_in",
        )
    row, account = found
    if account.disabled_at is not None:
        operator_repo.end_session(session, row=row, at=now, reason="disabled")
        raise CodedHTTPException(
            status.HTTP_401_UNAUTHORIZED, "this account is disabled", code="account_disabled"
        )
    idle_limit = timedelta(seconds=settings.session_idle_timeout_s)
    if now - row.last_active_at > idle_limit:
        operator_repo.end_session(session, row=row, at=now, reason="idle_timeout")
        operator_repo.record_account_event(
            session,
            kind=AccountEventKind.IDLE_TIMEOUT,
            username=account.username,
            by=operator_repo.audit_name(account.username, row.desk),
            at=now,
            detail={"idle_timeout_s": settings.session_idle_timeout_s},
        )
        raise _expired(settings)
    check_csrf(request, row.csrf_token)
    acted = request.method not in SAFE_METHODS or request.headers.get(ACTIVITY_HEADER) == "user"
    if acted and (now - row.last_active_at).total_seconds() >= (
        0 if request.method not in SAFE_METHODS else TOUCH_EVERY_S
    ):
        row.last_active_at = now
    return operator_repo.live_session(session, row, account)
