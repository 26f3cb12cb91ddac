"""``dispatch-geo tokens``: create, list and revoke API tokens (the token is shown once, at creation)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from dispatch_geo.errors import SiagaError
from dispatch_geo.storage import token_repo
from dispatch_geo.storage.auth_models import Role
from dispatch_geo.storage.engine import make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.database import engine_for
from siaga.settings import Settings

tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)


def _engine(settings: Settings) -> Engine:
    engine = engine_for(settings)
    upgrade_to_head(engine)  # the tokens table must exist, even before the server's first start
    return engine


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(code=2)


@tokens_app.command("create")
def create(
    role: Annotated[Role, typer.Option(help="what the holder may do")],
    name: Annotated[str, typer.Option(help='who holds it, shown in the audit trail, e.g. "Meja 1"')],
    unit: Annotated[
        str | None, typer.Option(help="device tokens only: the one unit it may report for (call sign)")
    ] = None,
) -> None:
    """Create a token and print it once (only its hash is stored)."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            _, token = token_repo.create_token(
                session, name=name, role=role, at=datetime.now(UTC), unit_id=unit
            )
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(f"token for [bold]{name}[/] ({role.value}); copy it now, it is not shown again:")
    console.print(token, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def list_tokens(
    all_: Annotated[bool, typer.Option("--all", help="include revoked tokens")] = False,
) -> None:
    """List tokens (name, role, prefix, created, revoked); tokens themselves are never shown."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine)() as session:
            rows = token_repo.list_tokens(session, include_revoked=all_)
    finally:
        engine.dispose()
    table = Table("name", "role", "prefix", "created (UTC)", "revoked (UTC)", "demo")
    for row in rows:
        table.add_row(
            row.name,
            row.role.value,
            row.token_prefix + "…",
            row.created_at.isoformat(timespec="seconds"),
            "" if row.revoked_at is None else row.revoked_at.isoformat(timespec="seconds"),
            "yes" if row.demo else "",
        )
    console.print(table if rows else "no tokens")


@tokens_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="name of the token to revoke")]) -> None:
    """Revoke a token by name; requests with it are refused from now on."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            token_repo.revoke_token(session, name=name, at=datetime.now(UTC))
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(f"revoked {name}")
