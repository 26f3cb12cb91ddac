"""Operator accounts, administered by admins: list, create, disable/enable, roles, password reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from dispatch_geo.storage import operator_repo
from dispatch_geo.storage.operator_repo import Operator
from siaga.api import operator_schemas as s
from siaga.api.deps import AdminDep, SessionDep, now_utc

router = APIRouter(tags=["accounts"])
UsernamePath = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _out(person: Operator) -> s.OperatorOut:
    return s.OperatorOut(
        username=person.username,
        display_name=person.display_name,
        roles=sorted(person.roles),
        disabled=person.disabled,
        demo=person.demo,
    )


@router.get("/operators", response_model=list[s.OperatorOut], summary="Operator accounts (admin)")
def list_operators(session: SessionDep, _: AdminDep) -> list[s.OperatorOut]:
    return [_out(p) for p in operator_repo.list_operators(session)]


@router.post(
    "/operators",
    status_code=status.HTTP_201_CREATED,
    response_model=s.OperatorOut,
    summary="Create an operator account with its roles (admin; audited)",
)
def create_operator(body: s.OperatorIn, session: SessionDep, who: AdminDep) -> s.OperatorOut:
    person = operator_repo.create_operator(
        session,
        username=body.username,
        password=body.password,
        roles=body.roles,
        display_name=body.display_name,
        at=now_utc(),
        by=who.name,
    )
    session.commit()
    return _out(person)


@router.patch(
    "/operators/{username}",
    response_model=s.OperatorOut,
    summary="Disable or re-enable an account (disabling ends its sessions at once), or change its roles",
    description="409 `last_admin` when the change would leave no enabled account with the admin role.",
)
def patch_operator(
    body: s.OperatorPatch, session: SessionDep, who: AdminDep, username: str = UsernamePath
) -> s.OperatorOut:
    person = operator_repo.get_operator(session, username=username)
    operator_repo.keep_an_admin(session, username=username, roles=body.roles, disabled=body.disabled)
    if body.roles is not None:
        person = operator_repo.set_roles(
            session, username=username, roles=body.roles, at=now_utc(), by=who.name
        )
    if body.disabled is not None:
        person = operator_repo.set_disabled(
            session, username=username, disabled=body.disabled, at=now_utc(), by=who.name
        )
    session.commit()
    return _out(person)


@router.post(
    "/operators/{username}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Reset an operator's password (admin; ends their sessions; audited)",
)
def reset_password(
    body: s.PasswordResetIn, session: SessionDep, who: AdminDep, username: str = UsernamePath
) -> Response:
    operator_repo.set_password(
        session, username=username, password=body.password, at=now_utc(), by=who.name, reset=True
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/account-events",
    response_model=list[s.AccountEventOut],
    summary="The audit of logins, account changes and shift actions, newest first (admin)",
)
def account_events(
    session: SessionDep, _: AdminDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[s.AccountEventOut]:
    return [
        s.AccountEventOut(at=e.at, kind=str(e.kind), username=e.username, by=e.by, detail=e.detail)
        for e in operator_repo.list_account_events(session, limit=limit)
    ]
