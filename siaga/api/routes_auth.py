"""Logins of people: log in (session cookie), who am I, change my password, log out.

See :mod:`siaga.api.sessions` for the cookie, the CSRF token and the idle timeout. API tokens (Bearer)
keep working for tools and devices; ``GET /auth/session`` answers for them too.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from dispatch_geo.dispatch import shifts as shift_service
from dispatch_geo.errors import ConflictError
from dispatch_geo.storage import operator_repo, shift_repo
from dispatch_geo.storage.operator_models import AccountEventKind, OperatorRow, OperatorSessionRow
from siaga.api import operator_schemas as s
from siaga.api import sessions
from siaga.api.deps import PersonDep, Principal, SessionDep, StateDep, now_utc
from siaga.api.sessions import CodedHTTPException

router = APIRouter(tags=["accounts"])


def _shift_brief(session: SessionDep) -> s.ShiftBrief | None:
    row = shift_repo.open_shift(session)
    return None if row is None else s.ShiftBrief.model_validate(row, from_attributes=True)


@router.post(
    "/auth/login",
    response_model=s.SessionOut,
    summary="Log in with username and password: sets the HttpOnly session cookie, returns the CSRF token",
    responses={
        401: {"description": "wrong username or password (login_failed)"},
        403: {"description": "the account is disabled (account_disabled)"},
        429: {"description": "too many failed logins from this address: wait `Retry-After` seconds"},
    },
)
def login(body: s.LoginIn, response: Response, session: SessionDep, state: StateDep) -> s.SessionOut:
    now = now_utc()
    desk = operator_repo.check_desk(body.desk)
    account: OperatorRow | None = operator_repo.verify_login(
        session, username=body.username, password=body.password
    )
    if account is None:
        operator_repo.record_account_event(
            session,
            kind=AccountEventKind.LOGIN_FAILED,
            username=body.username.lower(),
            by=operator_repo.audit_name("?", desk),
            at=now,
        )
        session.commit()
        raise CodedHTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong username or password", code="login_failed"
        )
    if account.disabled_at is not None:
        raise CodedHTTPException(
            status.HTTP_403_FORBIDDEN, "this account is disabled; ask an admin", code="account_disabled"
        )
    row, cookie = operator_repo.start_session(session, operator=account, desk=desk, at=now)
    person = operator_repo.get_operator(session, username=account.username)
    name = operator_repo.audit_name(person.username, desk)
    operator_repo.record_account_event(
        session, kind=AccountEventKind.LOGIN, username=person.username, by=name, at=now
    )
    shift_service.join(session, username=person.username, desk=desk, roles=person.roles, at=now)
    session.commit()
    sessions.set_cookie(response, state.settings, cookie)
    return s.SessionOut(
        name=name,
        username=person.username,
        display_name=person.display_name,
        roles=sorted(person.roles),
        desk=desk,
        csrf_token=row.csrf_token,
        idle_timeout_s=state.settings.session_idle_timeout_s,
        shift=_shift_brief(session),
    )


@router.get("/auth/session", response_model=s.SessionOut, summary="Who is calling (person or token)")
def whoami(who: PersonDep, session: SessionDep, state: StateDep) -> s.SessionOut:
    if who.username is None:
        return s.SessionOut(
            name=who.name,
            username=None,
            display_name=None,
            roles=sorted(who.roles),
            desk=None,
            csrf_token=None,
            idle_timeout_s=None,
            shift=_shift_brief(session),
        )
    person = operator_repo.get_operator(session, username=who.username)
    csrf = None
    if who.session_id is not None:
        live = session.get(OperatorSessionRow, who.session_id)
        csrf = None if live is None else live.csrf_token
    return s.SessionOut(
        name=who.name,
        username=person.username,
        display_name=person.display_name,
        roles=sorted(person.roles),
        desk=who.desk,
        csrf_token=csrf,
        idle_timeout_s=state.settings.session_idle_timeout_s,
        shift=_shift_brief(session),
    )


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the console session (the cookie is cleared); needs the CSRF token like any write",
    responses={
        403: {"description": "a session cookie without its CSRF token (csrf_failed)"},
        429: {"description": "too many failed authentications from this address: wait `Retry-After` seconds"},
    },
)
def logout(request: Request, response: Response, session: SessionDep, state: StateDep) -> Response:
    cookie = request.cookies.get(sessions.COOKIE)
    now = now_utc()
    if cookie:
        found = operator_repo.find_session(session, cookie=cookie)
        if found is not None:
            row, account = found
            sessions.check_csrf(request, row.csrf_token)
            operator_repo.end_session(session, row=row, at=now, reason="logout")
            operator_repo.record_account_event(
                session,
                kind=AccountEventKind.LOGOUT,
                username=account.username,
                by=operator_repo.audit_name(account.username, row.desk),
                at=now,
            )
            session.commit()
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    sessions.clear_cookie(answer, state.settings)
    return answer


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my own password (a logged-in person; API tokens have none)",
)
def change_password(body: s.PasswordChangeIn, who: PersonDep, session: SessionDep) -> Response:
    if who.username is None:
        raise ConflictError("an API token has no password to change").coded("not_a_person")
    account = operator_repo.verify_login(session, username=who.username, password=body.current_password)
    if account is None:
        raise CodedHTTPException(
            status.HTTP_403_FORBIDDEN, "the current password is wrong", code="password_wrong"
        )
    operator_repo.set_password(
        session, username=who.username, password=body.new_password, at=now_utc(), by=who.name, reset=False
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def person_name(who: Principal) -> str:
    """The account concerned by an audited action (the username, or the token's name)."""
    return who.username or who.name
