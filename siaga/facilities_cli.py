"""``dispatch-geo facilities``: import hospitals, puskesmas and posts from a CSV file, list them.

The file is validated row by row before anything is written: every problem is printed at once (with
its line number) and nothing is stored; otherwise each row is inserted or, for a known id, updated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.dispatch.facilities import import_facilities
from dispatch_geo.domain.facilities import load_facilities_csv
from dispatch_geo.errors import SiagaError
from dispatch_geo.storage import facility_repo
from dispatch_geo.storage.engine import make_session_factory
from siaga.settings import Settings
from siaga.tokens_cli import _engine, _fail

facilities_app = typer.Typer(
    help="Hospitals, puskesmas, Damkar, police and BPBD posts: import from CSV, list.",
    no_args_is_help=True,
)
console = Console()


@facilities_app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV: id,name,kind,lon,lat,approximate,source[,note,active]")],
) -> None:
    """Upsert the facilities of FILE by id; on any problem, list them all and store nothing."""
    try:
        facilities = load_facilities_csv(file)
    except SiagaError as exc:
        raise _fail(exc) from None
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            inserted, updated = import_facilities(session, facilities=facilities)
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    console.print(f"{inserted} facilities added, {updated} updated from {file}")


@facilities_app.command("list")
def list_all() -> None:
    """Every facility, with its kind, position and whether the position is approximate."""
    engine = _engine(Settings())
    try:
        with make_session_factory(engine).begin() as session:
            table = Table("id", "name", "kind", "lon", "lat", "approximate", "active", "source")
            for r in facility_repo.list_facilities(session):
                table.add_row(
                    r.id,
                    r.name,
                    str(r.kind),
                    f"{r.location.lon:.5f}",
                    f"{r.location.lat:.5f}",
                    "yes" if r.approximate else "no",
                    "yes" if r.active else "no",
                    r.source,
                )
    finally:
        engine.dispose()
    console.print(table)
