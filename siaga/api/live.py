"""The live picture: the fleet and every open incident, built once and served to every console.

Before (issue 16) every console's one-second poll rebuilt the same two collections (units.geojson and
the open incidents), 40 ms and 400 kB at 1,000 units, so one interpreter served only a handful of
consoles. Now a process builds the picture once and hands the same bytes to every console until

* the dispatch state changed: a cheap *change marker* read from the database (the newest id of the
  append-only incident events, unit status changes, assignments and requirements; at most once per
  0.1 s per process), so a status change, a new incident or an assignment made through *any* serve
  worker is in the answers of *every* worker 0.1 s later, unless that worker built its picture less
  than ``min_interval_s`` (``SIAGA_LIVE_MIN_INTERVAL_S``, 0.25 s) ago: then at most that much later.
  Five dispatchers change the state several times a second; without this bound every poll would
  rebuild (measured: docs/live.md); or
* it is older than ``max_age_s`` (``SIAGA_LIVE_MAX_AGE_S``, half a second by default): positions
  written by the ingest worker are at most that old.

A console sends the version it holds (``?since=``) and gets only what changed since
(siaga/api/live_snapshot.py); a client without a version gets the whole picture with an ETag
(``If-None-Match`` → ``304 Not Modified`` while nothing changed). Caller identity is for
dispatchers and admins: a planner's copy of the same picture has it blanked (its own bytes and
ETag). State lives in the database, so any number of workers agree without talking to each other;
each keeps only its last snapshot.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES, IncidentStatus
from dispatch_geo.storage import incident_repo
from dispatch_geo.storage.event_models import IncidentEventRow, IncidentRequirementRow
from dispatch_geo.storage.models import AssignmentRow, UnitStatusChangeRow
from dispatch_geo.storage.unit_snapshots import UnitSnapshot, list_unit_snapshots
from siaga.api import convert
from siaga.api.live_snapshot import Marker, Snapshot, dump
from siaga.api.schemas import DestinationOut

OPEN_STATUSES = sorted(set(IncidentStatus) - set(FINAL_INCIDENT_STATUSES))
CALLER_FIELDS = ("caller_phone", "caller_name")
MARKER_TABLES = (IncidentEventRow, UnitStatusChangeRow, AssignmentRow, IncidentRequirementRow)
"""Append-only tables whose newest id changes with every change of the dispatch state."""
MARKER_TTL_S = 0.1
"""A change marker read by one poll serves the polls of the next 0.1 s (a change shows that much later)."""
CHANGING_FIELDS = ("fix_age_s", "stale")
"""Unit fields that change with the clock alone: left out of the picture (the console computes them)."""


@dataclass(frozen=True)
class Encoded:
    """A unit's feature as encoded, with what it was made from (a unit whose row did not change is not
    encoded again: most of a fleet between two builds)."""

    made_from: tuple[object, ...]
    shown: tuple[object, ...]
    """What the feature shows besides the position and fix time."""
    feature: bytes
    move: bytes | None
    """``[id, lon, lat, last_fix_time]`` (None: no position)."""


def read_marker(session: Session) -> Marker:
    """The change marker: the newest id of each table in :data:`MARKER_TABLES` (0 when empty)."""
    columns = [select(func.coalesce(func.max(t.id), 0)).scalar_subquery() for t in MARKER_TABLES]
    row = session.execute(select(*columns)).one()
    return tuple(int(v) for v in row)


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
        self._marker_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._building: Marker | None = None
        self._last_marker: tuple[float, Marker | None] = (0.0, None)
        """The change marker of the build running now (None: none running, or not read yet)."""
        self._encoded: dict[str, Encoded] = {}
        self._shown: dict[str, tuple[object, ...]] = {}
        """Unit id → what its feature was made from and the feature: an unchanged unit is not encoded
        again (most of a fleet between two builds)."""
        self.epoch = secrets.token_hex(4)
        """This process's versions start with it: a version of another process is not a base here."""
        self.builds = 0
        """How many times this process built the picture (for the bench and tests)."""

    def current(self) -> Snapshot:
        """The picture as of now: the cached one while still valid, else a new one (built once).

        One request builds at a time. Another that finds a build running waits for it only when that
        build will hold a dispatch change this request has seen and the cached picture lacks; else it
        takes the cached picture at once (positions one build older, a change the running build
        would not have held either): polls do not queue behind builds for their age alone."""
        snapshot = self._snapshot
        if snapshot is not None and self._clock() - snapshot.built_at < self._min_interval_s:
            return snapshot  # kept whatever changed (see _valid): no need to ask the database
        marker = self._marker()
        if self._valid(snapshot, marker):
            assert snapshot is not None
            return snapshot
        if not self._lock.acquire(blocking=False):
            building = self._building
            brings = building is not None and all(b >= m for b, m in zip(building, marker, strict=True))
            if snapshot is not None and (self._seen(snapshot, marker) or not brings):
                return snapshot
            self._lock.acquire()  # the running build brings what this request must show: wait
        try:
            snapshot = self._snapshot
            if self._valid(snapshot, marker):
                assert snapshot is not None
                return snapshot
            snapshot = self._build(snapshot)
            self._snapshot = snapshot
            self.builds += 1
            return snapshot
        finally:
            self._building = None
            self._lock.release()

    def _marker(self) -> Marker:
        """The change marker, read at most once per :data:`MARKER_TTL_S` (and per ``min_interval_s``)
        by this process, whatever the number of polls: most polls then touch no database at all. While
        one poll reads it, the others take the last one read (at most that much older) rather than
        each reading it too."""
        read_at, marker = self._last_marker
        ttl = min(MARKER_TTL_S, self._min_interval_s)
        if marker is not None and self._clock() - read_at < ttl:
            return marker
        if not self._marker_lock.acquire(blocking=marker is None):
            assert marker is not None
            return marker
        try:
            read_at, marker = self._last_marker
            now = self._clock()
            if marker is not None and now - read_at < ttl:
                return marker  # read by another poll while this one waited
            with self._sessions() as session:
                marker = read_marker(session)
            self._last_marker = (now, marker)
            return marker
        finally:
            self._marker_lock.release()

    @staticmethod
    def _seen(snapshot: Snapshot, marker: Marker) -> bool:
        """Whether ``snapshot`` holds every dispatch change up to ``marker``."""
        return all(have >= seen for have, seen in zip(snapshot.marker, marker, strict=True))

    def _valid(self, snapshot: Snapshot | None, marker: Marker) -> bool:
        if snapshot is None:
            return False
        age_s = self._clock() - snapshot.built_at
        if age_s >= self._max_age_s:
            return False
        # changed, but built very recently: at most that stale
        return self._seen(snapshot, marker) or age_s < self._min_interval_s

    def _feature(self, row: UnitSnapshot, destination: DestinationOut | None, *, now: datetime) -> Encoded:
        """The unit's encoded feature (every field it shows, none that changes with the clock alone)."""
        shown = (
            row.unit_type,
            row.agency,
            row.station_id,
            row.status,
            row.status_changed_at,
            row.device_id is not None,
            destination,
        )
        made_from = (shown, row.last_position, row.last_fix_time)
        cached = self._encoded.get(row.id)
        if cached is not None and cached.made_from == made_from:
            return cached
        stale = self._geo.stale_after_s
        feature = convert.unit_feature(row, now=now, stale_after_s=stale, destination=destination)
        for name in CHANGING_FIELDS:
            del feature["properties"][name]
        point, fixed = row.last_position, feature["properties"]["last_fix_time"]
        move = None if point is None else dump([row.id, point.lon, point.lat, fixed])
        encoded = Encoded(made_from=made_from, shown=shown, feature=dump(feature), move=move)
        self._encoded[row.id] = encoded
        return encoded

    def _build(self, previous: Snapshot | None) -> Snapshot:
        started = self._clock()
        now = datetime.now(UTC)
        with self._sessions() as session:
            marker = read_marker(session)  # read first: a change after it triggers the next build
            self._building = marker
            units = list_unit_snapshots(session)
            going = convert.destinations(session, self._geo, units, now=now)
            stale = self._geo.stale_after_s
            encoded = {u.id: self._feature(u, going.get(u.id), now=now) for u in units}
            rows = incident_repo.list_incidents(session, status=OPEN_STATUSES)
            incidents = [
                convert.incident_out(session, r, caller_data=True).model_dump(mode="json") for r in rows
            ]
            session.rollback()  # a read: end the transaction before serialising
        incidents_full = dump(incidents)
        if len(self._encoded) > len(encoded):  # units gone from the fleet: forget their features
            self._encoded = encoded
        features = {uid: e.feature for uid, e in encoded.items()}
        before = previous.features if previous is not None else {}
        changed = [uid for uid, body in features.items() if before.get(uid) != body]
        removed = [uid for uid in before if uid not in features]
        shown_before = self._shown
        self._shown = {uid: e.shown for uid, e in encoded.items()}
        incidents_changed = previous is None or previous.incidents_full != incidents_full
        if previous is None:
            version, changed_at, shown_at, removed_at, incidents_at = 1, {}, {}, {}, 1
        else:
            version = previous.version + (1 if changed or removed or incidents_changed else 0)
            changed_at, removed_at = dict(previous.changed_at), dict(previous.removed_at)
            shown_at = dict(previous.shown_at)
            incidents_at = version if incidents_changed else previous.incidents_changed_at
        for uid in removed:
            changed_at.pop(uid, None)
            shown_at.pop(uid, None)
            removed_at[uid] = version
        for uid in changed:
            changed_at[uid] = version
            if shown_before.get(uid) != self._shown[uid]:
                shown_at[uid] = version
            removed_at.pop(uid, None)
        collection = dump(convert.feature_collection([], name="units", geo=self._geo, now=now))
        head = dump({"generated_at": now.isoformat(), "max_age_s": self._max_age_s, "stale_after_s": stale})
        return Snapshot(
            marker=marker,
            built_at=started,
            generated_at=now,
            epoch=self.epoch,
            version=version,
            head=head[:-1],
            collection_head=collection.removesuffix(b"[]}"),  # "features" is the last key
            features=features,
            changed_at={uid: changed_at[uid] for uid in features},  # in the fleet's order
            shown_at=shown_at,
            moves={uid: e.move for uid, e in encoded.items() if e.move is not None},
            removed_at=removed_at,
            incidents_full=incidents_full,
            incidents_redacted=dump([{**i, **dict.fromkeys(CALLER_FIELDS)} for i in incidents]),
            incidents_changed_at=incidents_at,
        )
