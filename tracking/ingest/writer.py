"""Batched database writes of position history and last known positions, riding out outages.

Accepted fixes go into a bounded in-memory buffer. A background thread takes up to ``batch_size`` at
a time and writes them in ONE transaction: the history rows (``position_fixes``, duplicates
ignored) and, per unit, the newest fix as its last known position (a conditional UPDATE: the
newest fix time wins, so late flushes never move a unit backwards). On PostgreSQL that is one
statement on the writer's own autocommit connection (:mod:`dispatch_geo.storage.ingest_repo`), one
round trip per batch; other databases (the demo's SQLite) go through the session-based repositories.

A batch is written when ``min_batch`` fixes wait or the oldest has waited ``max_wait_s`` (20 ms):
under load batches stay large, cheap per fix, while a quiet stream is still written at once.

If the database is down the batch stays in the buffer and is retried with backoff; nothing is lost
while the buffer has room. When it is full, new fixes are dropped, counted
(``siaga_ingest_buffer_dropped``) and logged. A fix the database refuses (a unit deleted meanwhile)
is dropped and counted (``rejected{reason="write_refused"}``); it never blocks the others.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.storage.fleet_repo import PositionUpdate, SnappedEdge, update_unit_positions
from dispatch_geo.storage.ingest_repo import store_batch_postgresql
from dispatch_geo.storage.position_repo import PositionFixRecord, add_position_fixes
from tracking.ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)

UNREACHABLE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
"""Errors meaning "the database cannot be reached right now": the batch is kept and retried, never dropped."""


_Item = tuple[PositionFixRecord, bool, float, int | None]
"""A buffered fix: record, whether it is the unit's newest, when it was queued, its caller's token."""


class BatchWriter:
    """Background writer; :meth:`submit` never blocks on the database."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        metrics: IngestMetrics,
        *,
        snapper: EdgeSnapper | None = None,
        max_buffer: int = 200_000,
        batch_size: int = 2_000,
        flush_interval_s: float = 0.5,
        max_wait_s: float = 0.02,
        min_batch: int = 500,
        max_backoff_s: float = 5.0,
        on_commit: Callable[[list[PositionFixRecord]], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.metrics = metrics
        self._snapper = snapper
        self._road: RoadGraph | None = snapper.road if snapper else None
        self.max_buffer = max_buffer
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_wait_s = max_wait_s
        self.min_batch = min_batch
        self.max_backoff_s = max_backoff_s
        self._buffer: collections.deque[_Item] = collections.deque()
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._full_warned = False
        self.last_error: str | None = None
        self._pg: PoolProxiedConnection | None = None
        self._dialect_name: str | None = None
        self.on_commit = on_commit
        """Called with each committed batch (in the writer thread): for live updates and benchmarks."""
        self.on_done: Callable[[list[int]], None] | None = None
        """Called with the tokens of fixes that are finished with: committed, or refused by the database."""

    # -- producer side -------------------------------------------------------------------------

    def submit(self, record: PositionFixRecord, *, latest: bool, token: int | None = None) -> bool:
        """Queue one accepted fix; False (and counted) when the buffer is full.

        ``token`` comes back through :attr:`on_done` once the fix is committed or refused.
        """
        with self._cond:
            if len(self._buffer) >= self.max_buffer:
                self.metrics.dropped.inc()
                if not self._full_warned:
                    log.error(
                        "write buffer full (%d fixes): dropping new fixes until the database catches up",
                        self.max_buffer,
                    )
                    self._full_warned = True
                return False
            self._buffer.append((record, latest, time.monotonic(), token))
            self.metrics.buffer_depth.set(len(self._buffer))
            if len(self._buffer) in (1, self.min_batch):
                self._cond.notify()
        return True

    @property
    def depth(self) -> int:
        with self._cond:
            return len(self._buffer)

    # -- consumer side -------------------------------------------------------------------------

    def start(self) -> None:
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="siaga-batch-writer", daemon=True)
        self._thread.start()

    def stop(self, *, drain_timeout_s: float = 10.0) -> None:
        """Flush what is buffered (up to ``drain_timeout_s``), then stop the thread."""
        deadline = time.monotonic() + drain_timeout_s
        while self.depth and time.monotonic() < deadline:
            time.sleep(0.01)
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pg is not None and (self._thread is None or not self._thread.is_alive()):
            with contextlib.suppress(Exception):
                self._pg.close()  # back to the pool
            self._pg = None

    def flush_once(self) -> int:
        """Write one batch now (in the caller's thread); returns how many fixes were written."""
        with self._cond:
            batch = [self._buffer[i] for i in range(min(self.batch_size, len(self._buffer)))]
        if not batch:
            return 0
        try:
            self._write(batch)
        except UNREACHABLE:
            raise  # the database is unreachable: keep the batch and retry
        except Exception as exc:
            # a record the database refuses must not block the rest: write one by one, drop the bad ones
            log.error("a batch of %d fixes was refused (%s); writing them one by one", len(batch), exc)
            for item in batch:
                try:
                    self._write([item])
                except UNREACHABLE:
                    raise
                except Exception as single:
                    self.metrics.rejected.labels(item[0].source_protocol, "write_refused").inc()
                    log.error(
                        "dropping fix of device %s at %s: %s", item[0].device_id, item[0].fix_time, single
                    )
        with self._cond:
            for _ in batch:
                self._buffer.popleft()
            self.metrics.buffer_depth.set(len(self._buffer))
            if len(self._buffer) < self.max_buffer // 2:
                self._full_warned = False
        now = time.monotonic()
        for _, _, queued, _ in batch:
            self.metrics.lag.observe(now - queued)
        self.metrics.written.inc(len(batch))
        if self.on_commit is not None:
            self.on_commit([record for record, _, _, _ in batch])
        if self.on_done is not None:
            self.on_done([token for _, _, _, token in batch if token is not None])
        return len(batch)

    def _run(self) -> None:
        backoff = 0.1
        while True:
            with self._cond:
                if not self._buffer and not self._stop:
                    self._cond.wait(timeout=self.flush_interval_s)
                if self._stop and not self._buffer:
                    return
                if not self._buffer:
                    continue
                # A small batch waits until its oldest fix is `max_wait_s` old (or `min_batch` fixes
                # are waiting): each batch costs a round trip and a commit, so under load batches stay
                # large (cheap per fix, and the writer leaves the interpreter to the MQTT thread)
                # while a quiet stream is still written within `max_wait_s`.
                if len(self._buffer) < self.min_batch and not self._stop:
                    wait_s = self.max_wait_s - (time.monotonic() - self._buffer[0][2])
                    if wait_s > 0:
                        self._cond.wait(timeout=wait_s)
            try:
                self.flush_once()
                if self.last_error:
                    log.warning("database writes recovered; buffer depth %d", self.depth)
                self.last_error = None
                backoff = 0.1
            except Exception as exc:  # process boundary: keep the batch, log, count, retry
                self.metrics.write_errors.inc()
                if self.last_error is None:
                    log.error("writing %d buffered fixes failed, will retry: %s", self.depth, exc)
                self.last_error = str(exc)
                if self._stop:
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)

    def _write(self, batch: list[_Item]) -> None:
        newest: dict[str, PositionFixRecord] = {}
        for record, latest, _, _ in batch:
            if latest and record.unit_id is not None:
                current = newest.get(record.unit_id)
                if current is None or record.fix_time > current.fix_time:
                    newest[record.unit_id] = record
        snapped = self._snap(list(newest.values()))
        fixes = [record for record, _, _, _ in batch]
        updates = [
            PositionUpdate(
                unit_id=unit_id,
                position=record.position,
                fix_time=record.fix_time,
                speed_kph=record.speed_kph,
                course_deg=record.course_deg,
                snapped=snapped.get(unit_id),
            )
            for unit_id, record in newest.items()
        ]
        if self._pg is not None or self._dialect() == "postgresql":
            self._write_postgresql(fixes, updates)
            return
        with self._session_factory() as session, session.begin():
            add_position_fixes(session, fixes=fixes)
            update_unit_positions(session, updates=updates)

    def _dialect(self) -> str:
        if self._dialect_name is None:
            with self._session_factory() as session:
                self._dialect_name = session.get_bind().dialect.name
        return self._dialect_name

    def _write_postgresql(self, fixes: list[PositionFixRecord], updates: list[PositionUpdate]) -> None:
        """One statement in autocommit on the writer's own connection: one round trip per batch."""
        try:
            if self._pg is None:
                with self._session_factory() as session:
                    engine = session.get_bind()
                assert isinstance(engine, Engine)
                self._pg = engine.raw_connection()
                self._pg.driver_connection.autocommit = True  # type: ignore[union-attr]
            store_batch_postgresql(self._pg.driver_connection, fixes=fixes, updates=updates)
        except UNREACHABLE:
            self._close_pg()  # gone or broken: reconnect on the next try
            raise
        except psycopg.Error:
            if self._pg is not None and self._pg.driver_connection.closed:  # type: ignore[union-attr]
                self._close_pg()
            raise

    def _close_pg(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.invalidate()  # the pool discards the broken DBAPI connection...
            with contextlib.suppress(Exception):
                self._pg.close()  # ...and gets its slot back
            self._pg = None

    def _snap(self, records: list[PositionFixRecord]) -> dict[str, SnappedEdge]:
        if self._snapper is None or self._road is None or not records:
            return {}
        road = self._road
        result = self._snapper.snap([r.position.lon for r in records], [r.position.lat for r in records])
        return {
            str(r.unit_id): SnappedEdge(
                u=int(road.node_osmid[road.tail[result.edge[i]]]),
                v=int(road.node_osmid[road.head[result.edge[i]]]),
                key=0,
                offset_m=float(result.offset_m[i]),
                distance_m=float(result.distance_m[i]),
            )
            for i, r in enumerate(records)
        }
