"""Request and response bodies of logins, operator accounts, shifts and handovers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.operator_models import DESK_MAX_LENGTH, DISPLAY_NAME_LENGTH, USERNAME_MAX_LENGTH
from dispatch_geo.storage.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from dispatch_geo.storage.shift_repo import HANDOVER_NOTES_MAX_LENGTH

Username = Annotated[
    str, Field(min_length=1, max_length=USERNAME_MAX_LENGTH, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
# a login attempt may type anything up to the longest password; the rules apply when one is set
PasswordTyped = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]
NewPassword = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]
PersonRole = Annotated[Role, Field(description="dispatcher, supervisor, planner or admin")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: Username
    password: PasswordTyped
    desk: str | None = Field(
        default=None, max_length=DESK_MAX_LENGTH, description="desk or terminal name, e.g. Meja 1 (audited)"
    )


class PasswordChangeIn(Strict):
    current_password: PasswordTyped
    new_password: NewPassword


class PasswordResetIn(Strict):
    password: NewPassword


class ShiftBrief(BaseModel):
    id: int
    name: str
    planned_start: datetime
    planned_end: datetime
    opened_at: datetime
    opened_by: str


class SessionOut(BaseModel):
    """Who is using the console (an operator's session, or an API token)."""

    name: str = Field(description="what the audit trail records for this caller: username@desk or token")
    username: str | None
    display_name: str | None
    roles: list[Role]
    desk: str | None
    csrf_token: str | None = Field(description="send in X-CSRF-Token with every state-changing request")
    idle_timeout_s: float | None
    shift: ShiftBrief | None = Field(description="the shift open now, if any")


class OperatorIn(Strict):
    username: Username
    display_name: str | None = Field(default=None, min_length=1, max_length=DISPLAY_NAME_LENGTH)
    password: NewPassword
    roles: list[PersonRole] = Field(min_length=1, max_length=4)


class OperatorPatch(Strict):
    disabled: bool | None = None
    roles: list[PersonRole] | None = Field(default=None, min_length=1, max_length=4)


class OperatorOut(BaseModel):
    username: str
    display_name: str
    roles: list[Role]
    disabled: bool
    demo: bool


class ShiftOpenIn(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=32, description="default: proposed")
    planned_start: datetime | None = None
    planned_end: datetime | None = None


class ShiftCloseIn(Strict):
    notes: str = Field(default="", max_length=HANDOVER_NOTES_MAX_LENGTH, description="for the incoming shift")


class MemberOut(BaseModel):
    username: str
    desk: str | None
    roles: list[str]
    joined_at: datetime


class ShiftOut(ShiftBrief):
    closed_at: datetime | None
    closed_by: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    members: list[MemberOut]


class CurrentShiftOut(BaseModel):
    shift: ShiftOut | None
    proposed: dict[str, Any] = Field(description="name, start, end of the slot containing now (WIB slots)")
    last_closed: ShiftOut | None = Field(description="the last closed shift (its handover to acknowledge)")


class HandoverOut(BaseModel):
    shift: ShiftOut
    notes: str | None
    frozen: bool = Field(description="true once the shift is closed (summary as it was at close)")
    summary: dict[str, Any]


class AccountEventOut(BaseModel):
    at: datetime
    kind: str = Field(description="login, login_failed, logout, idle_timeout, password_changed, ...")
    username: str = Field(description="the account concerned")
    by: str = Field(description="who did it (username@desk, token name, cli)")
    detail: dict[str, Any]
