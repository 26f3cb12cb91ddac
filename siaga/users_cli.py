"""``dispatch-geo users``: operator accounts (people) — create, list, disable, enable, reset a password.

A password is generated and shown once unless ``--prompt`` asks for one (typed twice, hidden). Only
its argon2id hash is stored. Every change is audited as done by ``cli``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from dispatch_geo.errors import SiagaError
from dispatch_geo.storage import operator_repo
from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.engine import make_session_factory
from siaga.settings import Settings
from siaga.tokens_cli import _engine, _fail

users_app = typer.Typer(
    help="Operator accounts: create, list, disable, enable, reset-password.", no_args_is_help=True
)

console = Console()
CLI = "cli"
"""What the audit records as the author of a change made from the command line."""


def _password(prompt: bool) -> tuple[str, bool]:
    """A password typed by the operator, or a generated one (shown once); and whether it was generated."""
    if prompt:
        return typer.prompt("password", hide_input=True, confirmation_prompt=True), False
    return secrets.token_urlsafe(12), True


def _run(change: str, action: Callable[[Session], object]) -> None:
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            action(session)
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(change)


@users_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="login name: lower-case letters, digits, . _ - (≤ 20)")],
    role: Annotated[list[Role], typer.Option(help="a role; repeat for several")],
    name: Annotated[str | None, typer.Option(help="full name shown in the console")] = None,
    prompt: Annotated[bool, typer.Option(help="type the password instead of generating one")] = False,
) -> None:
    """Create an account with one or more roles (dispatcher, supervisor, planner, admin)."""
    password, generated = _password(prompt)

    def action(session: Session) -> None:
        operator_repo.create_operator(
            session,
            username=username,
            password=password,
            roles=role,
            display_name=name,
            at=datetime.now(UTC),
            by=CLI,
        )

    _run(f"created {username} ({', '.join(r.value for r in role)})", action)
    if generated:
        console.print("password (shown once, give it to the person):")
        console.print(password, highlight=False, soft_wrap=True)


@users_app.command("list")
def list_users() -> None:
    """List accounts: username, name, roles, disabled, demo."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine)() as session:
            people = operator_repo.list_operators(session)
    finally:
        engine.dispose()
    table = Table("username", "name", "roles", "disabled", "demo")
    for p in people:
        roles = ", ".join(sorted(r.value for r in p.roles))
        table.add_row(p.username, p.display_name, roles, "yes" if p.disabled else "", "yes" if p.demo else "")
    console.print(table if people else "no operator accounts")


def _set_disabled(username: str, disabled: bool) -> None:
    def action(session: Session) -> None:
        operator_repo.set_disabled(
            session,
            username=username,
            disabled=disabled,
            at=datetime.now(UTC),
            by=CLI,
        )

    _run(f"{'disabled' if disabled else 'enabled'} {username}", action)


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="the account to disable")]) -> None:
    """Disable an account: its sessions end at once and it can no longer log in."""
    _set_disabled(username, True)


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="the account to re-enable")]) -> None:
    """Re-enable a disabled account."""
    _set_disabled(username, False)


@users_app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="the account")],
    prompt: Annotated[bool, typer.Option(help="type the password instead of generating one")] = False,
) -> None:
    """Give an account a new password (its open sessions end)."""
    password, generated = _password(prompt)

    def action(session: Session) -> None:
        operator_repo.set_password(
            session,
            username=username,
            password=password,
            at=datetime.now(UTC),
            by=CLI,
            reset=True,
        )

    _run(f"password of {username} reset", action)
    if generated:
        console.print("new password (shown once):")
        console.print(password, highlight=False, soft_wrap=True)
