"""Monthly partitions of ``position_fixes`` on PostgreSQL, created ahead, dropped after retention.

48 units reporting every 5 s make ~0.8 M fixes a day, ~300 M a year. On PostgreSQL ``position_fixes``
is a declaratively partitioned table (``PARTITION BY RANGE (fix_time)``, migration 0007): one child
table per calendar month (UTC), ``position_fixes_YYYY_MM``, and ``position_fixes_default`` for any fix
outside the months that exist (a phone flushing a months-old queue: nothing is ever refused for lack
of a partition). Indexes on the parent cascade to every partition: B-tree ``(unit_id, fix_time)`` for
the replay (one unit's track over an interval), BRIN on ``fix_time`` for time-range scans (tiny,
fixes arrive in time order), the unique ``(device_id, fix_time)`` that makes redeliveries harmless,
and the GiST index on ``position``.

:func:`ensure_partitions` (run by the API and the ingest worker at start-up, and by
``dispatch-geo history maintain``) creates the current month and the next ones ahead; a month whose
fixes already sit in the default partition gets them moved into its new partition.

:func:`apply_retention` drops whole partitions older than the retention, **keeping incident-linked
tracks**: before a partition is dropped it is detached, and the fixes an incident's replay shows
(each assigned unit from :data:`REPLAY_BEFORE_ASSIGNMENT` before its assignment until
:data:`REPLAY_AFTER_RELEASE` after its release or the incident's close) are copied back into the
table, where they land in the default partition (the month is no longer covered). The replay of an
old incident therefore still works; everything else of that month is gone. SQLite (the embedded
demo) has no partitions: there :func:`apply_retention` deletes the old rows that are not kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, and_, delete, false, func, not_, or_, select, text

from dispatch_geo.storage.models import AssignmentRow, Base, IncidentRow, PositionFixRow

log = logging.getLogger(__name__)

REPLAY_BEFORE_ASSIGNMENT = timedelta(minutes=5)
"""An incident's replay shows each unit's fixes from this long before its assignment."""
REPLAY_AFTER_RELEASE = timedelta(minutes=10)
"""...until this long after its release (or the incident's close)."""

PARENT = "position_fixes"
DEFAULT_PARTITION = "position_fixes_default"
PARTITION_NAME = re.compile(r"^position_fixes_(\d{4})_(\d{2})$")
PARTITION_TABLE = re.compile(r"^position_fixes_(\d{4}_\d{2}|default)$")
"""Names of the child tables (left out of schema comparisons: the models know only the parent)."""

_COLUMNS = (
    "id, device_id, unit_id, fix_time, received_at, position, speed_kph, course_deg, accuracy_m, "
    "altitude_m, source_protocol, flags"
)


def month_start(day: date | datetime) -> date:
    """The first day of ``day``'s month (UTC for a datetime)."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date()
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{PARENT}_{month.year:04d}_{month.month:02d}"


def is_partitioned(connection: Connection) -> bool:
    """Whether ``position_fixes`` is a partitioned table here (PostgreSQL after migration 0007)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT}
    ).scalar_one_or_none()
    return kind == "p"


def list_partitions(connection: Connection) -> list[date]:
    """The months that have their own partition, oldest first."""
    names: list[str] = list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = to_regclass(:t)"
            ),
            {"t": PARENT},
        ).scalars()
    )
    months = []
    for name in names:
        match = PARTITION_NAME.match(name)
        if match:
            months.append(date(int(match[1]), int(match[2]), 1))
    return sorted(months)


def _ts(month: date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def create_month(connection: Connection, month: date) -> bool:
    """Create the partition of ``month`` if missing (moving its fixes out of the default partition).
    Returns whether it was created."""
    if month in list_partitions(connection):
        return False
    name, lo, hi = partition_name(month), _ts(month), _ts(add_months(month, 1))
    window = {"lo": lo, "hi": hi}
    moving: int = connection.execute(
        text(f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE fix_time >= :lo AND fix_time < :hi"), window
    ).scalar_one()
    if moving:
        connection.execute(
            text(
                f"CREATE TEMP TABLE position_fixes_moving ON COMMIT DROP AS SELECT {_COLUMNS} "
                f"FROM {DEFAULT_PARTITION} WHERE fix_time >= :lo AND fix_time < :hi"
            ),
            window,
        )
        connection.execute(
            text(f"DELETE FROM {DEFAULT_PARTITION} WHERE fix_time >= :lo AND fix_time < :hi"), window
        )
    connection.execute(
        text(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ('{lo}') TO ('{hi}')")
    )
    if moving:
        connection.execute(
            text(f"INSERT INTO {PARENT} ({_COLUMNS}) SELECT {_COLUMNS} FROM position_fixes_moving")
        )
        connection.execute(text("DROP TABLE position_fixes_moving"))
    log.info("created partition %s (%d fixes moved from the default partition)", name, moving)
    return True


def ensure_partitions(connection: Connection, *, now: datetime, months_ahead: int = 3) -> list[date]:
    """Create the partitions of the current month and ``months_ahead`` months after it; returns the
    months created. Does nothing where ``position_fixes`` is not partitioned (SQLite)."""
    if not is_partitioned(connection):
        return []
    first = month_start(now)
    return [m for m in (add_months(first, i) for i in range(months_ahead + 1)) if create_month(connection, m)]


@dataclass(frozen=True)
class RetentionResult:
    """What :func:`apply_retention` did."""

    cutoff: date
    dropped_partitions: list[str]
    deleted_fixes: int
    kept_incident_fixes: int
    """Fixes older than the cutoff still stored afterwards: the incident-linked tracks."""


_KEEP_FILTER = """
EXISTS (SELECT 1 FROM assignments a JOIN incidents i ON i.id = a.incident_id
        WHERE a.unit_id = f.unit_id
          AND f.fix_time >= a.assigned_at - CAST(:before AS INTERVAL)
          AND f.fix_time < COALESCE(a.released_at, i.closed_at, :now) + CAST(:after AS INTERVAL))
"""


def _keep_params(now: datetime) -> dict[str, object]:
    return {
        "before": f"{int(REPLAY_BEFORE_ASSIGNMENT.total_seconds())} seconds",
        "after": f"{int(REPLAY_AFTER_RELEASE.total_seconds())} seconds",
        "now": now,
    }


def apply_retention(connection: Connection, *, now: datetime, retention_months: int) -> RetentionResult:
    """Drop the fixes of months entirely older than ``retention_months`` before the current month,
    keeping the incident-linked tracks (module docstring). ``retention_months`` must be ≥ 1."""
    if retention_months < 1:
        raise ValueError(f"the retention must be at least 1 month, got {retention_months}")
    cutoff = add_months(month_start(now), -retention_months)
    if not is_partitioned(connection):
        return _retention_unpartitioned(connection, cutoff=cutoff, now=now)
    dropped, deleted = [], 0
    for month in list_partitions(connection):
        if add_months(month, 1) > cutoff:
            continue
        name = partition_name(month)
        connection.execute(text(f"ALTER TABLE {PARENT} DETACH PARTITION {name}"))
        total: int = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
        moved = connection.execute(
            text(f"INSERT INTO {PARENT} ({_COLUMNS}) SELECT {_COLUMNS} FROM {name} f WHERE {_KEEP_FILTER}"),
            _keep_params(now),
        ).rowcount
        connection.execute(text(f"DROP TABLE {name}"))
        dropped.append(name)
        deleted += total - moved
        log.info("retention: dropped %s (%d fixes, %d incident-linked kept)", name, total, moved)
    # fixes of old months that sat in the default partition all along
    deleted += connection.execute(
        text(f"DELETE FROM {DEFAULT_PARTITION} f WHERE fix_time < :cutoff AND NOT {_KEEP_FILTER}"),
        {"cutoff": _ts(cutoff), **_keep_params(now)},
    ).rowcount
    kept: int = connection.execute(
        text(f"SELECT count(*) FROM {PARENT} WHERE fix_time < :cutoff"), {"cutoff": _ts(cutoff)}
    ).scalar_one()
    return RetentionResult(cutoff, dropped, deleted, kept)


def _table(row: type[Base]) -> Table:
    table = row.__table__
    assert isinstance(table, Table)
    return table


def _retention_unpartitioned(connection: Connection, *, cutoff: date, now: datetime) -> RetentionResult:
    """The same promise without partitions (SQLite, or PostgreSQL before 0007): a plain DELETE."""
    cutoff_at = datetime(cutoff.year, cutoff.month, 1, tzinfo=UTC)
    fixes = _table(PositionFixRow)
    assignments, incidents = _table(AssignmentRow), _table(IncidentRow)
    windows = connection.execute(
        select(
            assignments.c.unit_id, assignments.c.assigned_at, assignments.c.released_at, incidents.c.closed_at
        )
        .join(incidents, incidents.c.id == assignments.c.incident_id)
        .where(assignments.c.assigned_at < cutoff_at + REPLAY_BEFORE_ASSIGNMENT)
    ).all()
    keep = []
    for unit_id, start, released, closed in windows:
        start = cast(datetime, start)
        end = cast(datetime, released or closed or now)
        keep.append(
            and_(
                fixes.c.unit_id == unit_id,
                fixes.c.fix_time >= start - REPLAY_BEFORE_ASSIGNMENT,
                fixes.c.fix_time < end + REPLAY_AFTER_RELEASE,
            )
        )
    old = fixes.c.fix_time < cutoff_at
    kept: int = connection.execute(
        select(func.count()).select_from(fixes).where(old, or_(false(), *keep))
    ).scalar_one()
    deleted = connection.execute(delete(fixes).where(old, not_(or_(false(), *keep)))).rowcount
    return RetentionResult(cutoff, [], deleted, kept)
