"""The live picture: the fleet and every open incident, built once and served to every console.

Before (issue 16) every console's one-second poll rebuilt the same two collections (units.geojson and
the open incidents), 40 ms and 400 kB at 1,000 units, so one interpreter served only a handful of
consoles. Now a process builds the picture once and hands the same bytes to every console until

* the dispatch state changed: a cheap *change marker* read from the database on every request (the
  newest id of the append-only incident events, unit status changes, assignments and requirements),
  so a status change, a new incident or an assignment made through *any* serve worker is in the next
  answer of *every* worker, unless that worker built its picture less than ``min_interval_s``
  (``SIAGA_LIVE_MIN_INTERVAL_S``, 0.25 s) ago: then at most that much later. Five dispatchers change
  the state several times a second; without this bound every poll would rebuild (measured:
  docs/live.md); or
* it is older than ``max_age_s`` (``SIAGA_LIVE_MAX_AGE_S``, half a second by default): positions
  written by the ingest worker and the fix ages are at most that old.

A console sends the ETag of what it has (``If-None-Match``) and gets ``304 Not Modified`` while
nothing changed. Caller identity is for dispatchers and admins: a planner's copy of the same picture
has it blanked (its own bytes and ETag). State lives in the database, so any number of workers agree
without talking to each other; each keeps only its last snapshot.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES, IncidentStatus
from dispatch_geo.storage import fleet_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentEventRow, IncidentRequirementRow
from dispatch_geo.storage.models import AssignmentRow, UnitStatusChangeRow
from siaga.api import convert

OPEN_STATUSES = sorted(set(IncidentStatus) - set(FINAL_INCIDENT_STATUSES))
CALLER_FIELDS = ("caller_phone", "caller_name")
MARKER_TABLES = (IncidentEventRow, UnitStatusChangeRow, AssignmentRow, IncidentRequirementRow)
"""Append-only tables whose newest id changes with every change of the dispatch state."""

Marker = tuple[int, ...]


@dataclass(frozen=True)
class Snapshot:
    """One built picture: the bytes for callers who see caller identity and for those who do not."""

    marker: Marker
    built_at: float
    """``time.monotonic()`` when it was built."""
    generated_at: datetime
    full: bytes
    full_etag: str
    redacted: bytes
    redacted_etag: str
    units: int
    incidents: int

    def body(self, *, caller_data: bool) -> tuple[bytes, str]:
        """The bytes and their ETag for a caller who may (or may not) see caller identity."""
        return (self.full, self.full_etag) if caller_data else (self.redacted, self.redacted_etag)


def read_marker(session: Session) -> Marker:
    """The change marker: the newest id of each table in :data:`MARKER_TABLES` (0 when empty)."""
    columns = [select(func.coalesce(func.max(t.id), 0)).scalar_subquery() for t in MARKER_TABLES]
    row = session.execute(select(*columns)).one()
    return tuple(int(v) for v in row)


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _dump(document: dict[str, Any] | list[dict[str, Any]]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class LivePicture:
    """A process's cached live picture (see the module docstring); thread-safe."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        geo: GeoContext,
        max_age_s: float = 0.5,
        min_interval_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._geo = geo
        self._max_age_s = max_age_s
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.builds = 0
        """How many times this process built the picture (for the bench and tests)."""

    def current(self) -> Snapshot:
        """The picture as of now: the cached one while still valid, else a new one (built once)."""
        with self._sessions() as session:
            marker = read_marker(session)
        snapshot = self._snapshot
        if self._valid(snapshot, marker):
            assert snapshot is not None
            return snapshot
        with self._lock:  # one build at a time; those who waited take the new one
            snapshot = self._snapshot
            if self._valid(snapshot, marker):
                assert snapshot is not None
                return snapshot
            snapshot = self._build()
            self._snapshot = snapshot
            self.builds += 1
            return snapshot

    def _valid(self, snapshot: Snapshot | None, marker: Marker) -> bool:
        if snapshot is None:
            return False
        age_s = self._clock() - snapshot.built_at
        if age_s >= self._max_age_s:
            return False
        if all(have >= seen for have, seen in zip(snapshot.marker, marker, strict=True)):
            return True
        return age_s < self._min_interval_s  # changed, but built very recently: at most that stale

    def _build(self) -> Snapshot:
        started = self._clock()
        now = datetime.now(UTC)
        with self._sessions() as session:
            marker = read_marker(session)  # read first: a change after it triggers the next build
            units = fleet_repo.list_units(session)
            going = convert.destinations(session, self._geo, units, now=now)
            stale = self._geo.stale_after_s
            features = [
                convert.unit_feature(u, now=now, stale_after_s=stale, destination=going.get(u.id))
                for u in units
            ]
            rows = incident_repo.list_incidents(session, status=OPEN_STATUSES)
            incidents = [
                convert.incident_out(session, r, caller_data=True).model_dump(mode="json") for r in rows
            ]
            session.rollback()  # a read: end the transaction before serialising
        # each part serialised once; the ETag covers the content, not the time it was made
        features_json = _dump(features)
        empty = _dump(convert.feature_collection([], name="units", geo=self._geo, now=now))
        units_json = empty.removesuffix(b"[]}") + features_json + b"}"  # "features" is the last key
        head = _dump({"generated_at": now.isoformat(), "max_age_s": self._max_age_s}).removesuffix(b"}")
        full_json = _dump(incidents)
        redacted_json = _dump([{**i, **dict.fromkeys(CALLER_FIELDS)} for i in incidents])
        return Snapshot(
            marker=marker,
            built_at=started,
            generated_at=now,
            full=head + b',"units":' + units_json + b',"incidents":' + full_json + b"}",
            full_etag=_etag(features_json + full_json),
            redacted=head + b',"units":' + units_json + b',"incidents":' + redacted_json + b"}",
            redacted_etag=_etag(features_json + redacted_json),
            units=len(units),
            incidents=len(incidents),
        )
