"""``dispatch-geo closures``: close roads (banjir) at points or inside a GeoJSON area, list, lift.

The same service as the API: a running server picks the change up with its next recommendation
(it re-reads the active closures before every ranking). Who closed or lifted is recorded as
``cli:<user>``.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.dispatch.closures import close_roads, lift_closure
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError, SiagaError
from dispatch_geo.storage import closure_repo
from dispatch_geo.storage.engine import make_session_factory
from siaga.settings import Settings
from siaga.tokens_cli import _engine, _fail

closures_app = typer.Typer(
    help="Road closures (banjir): close roads at points or inside an area, list them, lift one.",
    no_args_is_help=True,
)
console = Console()


def _who() -> str:
    return f"cli:{getpass.getuser()}"[:32]


def _geo(settings: Settings) -> GeoContext:
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.gazetteer import Gazetteer
    from dispatch_geo.routing.travel_time import TravelTimeRouter
    from siaga.graphs import resolve_graph

    road, _ = resolve_graph(settings)
    gazetteer = Gazetteer.from_boundaries(
        load_boundaries(settings.boundaries_path), outside_buffer_m=settings.outside_buffer_m
    )
    return GeoContext.build(
        road, gazetteer, snap_max_distance_m=settings.snap_max_distance_m, router=TravelTimeRouter(road)
    )


def _point(text: str) -> LonLat:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--point {text!r} is not LON,LAT (e.g. 102.04,0.80)") from None
    return LonLat(lon, lat)


@closures_app.command("add")
def add(
    reason: Annotated[str, typer.Option(help="why, e.g. 'banjir: jembatan terendam'")],
    hours: Annotated[float, typer.Option(help="the closure ends by itself after this many hours")] = 24.0,
    point: Annotated[list[str] | None, typer.Option(help="LON,LAT on a road to close (repeatable)")] = None,
    area: Annotated[Path | None, typer.Option(help="GeoJSON file: a Polygon (or a Feature of one)")] = None,
) -> None:
    """Close the roads at the given points, or every road inside a GeoJSON polygon."""
    settings = Settings()
    engine = _engine(settings)
    try:
        polygon: dict[str, Any] | None = None
        if area is not None:
            data = json.loads(area.read_text(encoding="utf-8"))
            polygon = data.get("geometry", data) if isinstance(data, dict) else None
        now = datetime.now(UTC)
        geo = _geo(settings)
        with make_session_factory(engine).begin() as session:
            row = close_roads(
                session,
                geo,
                reason=reason,
                expires_at=now + timedelta(hours=hours),
                points=[_point(p) for p in point or []],
                area=polygon,
                by=_who(),
                now=now,
            )
            until = f"{row.expires_at:%Y-%m-%d %H:%M} UTC"
            console.print(f"closure {row.id}: {len(row.edges)} road edges closed until {until}")
    except (SiagaError, OSError, json.JSONDecodeError) as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()


@closures_app.command("list")
def list_closures(
    show_all: Annotated[bool, typer.Option("--all", help="also lifted and expired ones")] = False,
) -> None:
    """Active closures (or the latest 200), with who closed them and until when (UTC)."""
    engine = _engine(Settings())
    now = datetime.now(UTC)
    try:
        with make_session_factory(engine).begin() as session:
            rows = (
                closure_repo.list_recent(session) if show_all else closure_repo.list_active(session, now=now)
            )
            table = Table("id", "reason", "roads", "by", "created", "expires", "lifted")
            for r in rows:
                table.add_row(
                    str(r.id),
                    r.reason,
                    str(len(r.edges)),
                    r.created_by,
                    f"{r.created_at:%Y-%m-%d %H:%M}",
                    f"{r.expires_at:%Y-%m-%d %H:%M}",
                    f"{r.lifted_at:%Y-%m-%d %H:%M} by {r.lifted_by}" if r.lifted_at else "",
                )
            console.print(table)
    finally:
        engine.dispose()


@closures_app.command("lift")
def lift(closure_id: Annotated[int, typer.Argument(help="closure id (see `closures list`)")]) -> None:
    """Lift a closure: its roads get their travel times back."""
    settings = Settings()
    engine = _engine(settings)
    try:
        geo = _geo(settings)
        with make_session_factory(engine).begin() as session:
            lift_closure(session, geo, closure_id=closure_id, by=_who(), now=datetime.now(UTC))
        console.print(f"closure {closure_id} lifted")
    except SiagaError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
