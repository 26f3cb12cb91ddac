"""``dispatch-geo history``: keep the position history at a year's scale (partitions, retention)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.partitions import apply_retention, ensure_partitions
from siaga.settings import Settings

history_app = typer.Typer(help="Position history: monthly partitions and retention.", no_args_is_help=True)
console = Console()


@history_app.command("maintain")
def maintain(
    retention_months: Annotated[
        int | None,
        typer.Option(min=1, help="drop fixes older than this many whole months (default: the setting)"),
    ] = None,
) -> None:
    """Create the coming months' partitions and drop the months past the retention (SIAGA_POSITION_
    RETENTION_MONTHS, default 13); incident-linked tracks are kept (docs/deployment.md)."""
    settings = Settings()
    months = retention_months or settings.position_retention_months
    engine = make_engine(settings.database_url)
    now = datetime.now(UTC)
    try:
        with make_session_factory(engine).begin() as session:
            connection = session.connection()
            created = ensure_partitions(connection, now=now, months_ahead=settings.partitions_ahead_months)
            result = apply_retention(connection, now=now, retention_months=months)
    finally:
        engine.dispose()
    console.print(f"partitions created: {', '.join(m.isoformat()[:7] for m in created) or 'none'}")
    console.print(
        f"retention {months} months (before {result.cutoff.isoformat()}): "
        f"dropped {', '.join(result.dropped_partitions) or 'no partition'}; {result.deleted_fixes:,} fixes "
        f"deleted, {result.kept_incident_fixes:,} incident-linked fixes kept"
    )
