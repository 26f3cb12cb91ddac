"""One round trip per ingest batch on PostgreSQL: history rows and last known positions together.

The ingest writer's hot path. A batch of accepted fixes becomes ONE SQL statement sent with the
values as arrays (``unnest``), run in autocommit so the statement is its own transaction:

* the history rows go into ``position_fixes`` (a fix already stored for the same device and fix time
  is skipped: redeliveries and re-flushed phone queues must be harmless);
* each unit's newest fix of the batch becomes its last known position, only if it is newer than the
  stored one (the newest fix time wins, so a late flush never moves a unit backwards).

Both happen or neither does. Compared with ``COPY`` into a staging table plus a separate ``UPDATE``
(the previous path, still used through :func:`~dispatch_geo.storage.position_repo.add_position_fixes`
for callers holding a session), this cuts a batch from seven round trips to one and moves the
per-value conversion into psycopg's C adapters. Other databases (the demo's SQLite) use the
session-based functions instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError
from dispatch_geo.storage.fleet_repo import PositionUpdate
from dispatch_geo.storage.position_repo import PositionFixRecord

_STATEMENT = """
WITH fixes AS (
    INSERT INTO position_fixes (device_id, unit_id, fix_time, received_at, position, speed_kph,
                                course_deg, accuracy_m, altitude_m, source_protocol, flags)
    SELECT f.device_id, f.unit_id, f.fix_time, f.received_at,
           ST_SetSRID(ST_MakePoint(f.x, f.y), 4326), f.sp, f.co, f.acc, f.alt, f.src, CAST(f.flags AS jsonb)
    FROM unnest(%(device)b::text[], %(unit)b::text[], %(fix)b::timestamptz[], %(recv)b::timestamptz[],
                %(x)b::float8[], %(y)b::float8[], %(sp)b::float8[], %(co)b::float8[],
                %(acc)b::float8[], %(alt)b::float8[], %(src)b::text[], %(flags)b::text[])
         AS f(device_id, unit_id, fix_time, received_at, x, y, sp, co, acc, alt, src, flags)
    ON CONFLICT (device_id, fix_time) DO NOTHING
    RETURNING 1
)
UPDATE units AS u
SET last_position = ST_SetSRID(ST_MakePoint(v.x, v.y), 4326), last_fix_time = v.t,
    last_speed_kph = v.sp, last_course_deg = v.co,
    snapped_edge_u = v.su, snapped_edge_v = v.sv, snapped_edge_key = v.sk,
    snapped_offset_m = v.so, snapped_distance_m = v.sd
FROM unnest(%(u_id)b::text[], %(u_x)b::float8[], %(u_y)b::float8[], %(u_t)b::timestamptz[],
            %(u_sp)b::float8[], %(u_co)b::float8[], %(u_su)b::int8[], %(u_sv)b::int8[],
            %(u_sk)b::int4[], %(u_so)b::float8[], %(u_sd)b::float8[])
     AS v(id, x, y, t, sp, co, su, sv, sk, so, sd)
WHERE u.id = v.id AND (u.last_fix_time IS NULL OR u.last_fix_time < v.t)
"""


def _flags_json(flags: tuple[str, ...]) -> str:
    return "[]" if not flags else json.dumps(list(flags))


def store_batch_postgresql(
    connection: Any, *, fixes: Sequence[PositionFixRecord], updates: Sequence[PositionUpdate]
) -> int:
    """Write ``fixes`` to the history and ``updates`` to the units in one statement.

    ``connection`` is a psycopg 3 connection in autocommit mode (the statement is then its own
    transaction) or inside a transaction the caller commits. Every record is checked before anything
    is sent, so a bad record leaves the batch unwritten. Returns how many units moved.
    """
    for fix in fixes:
        require_aware(fix.fix_time, f"fix time of device {fix.device_id}")
        require_aware(fix.received_at, f"receive time of device {fix.device_id}")
        if not isinstance(fix.position, LonLat):
            raise InputError(f"fix of device {fix.device_id}: position must be a LonLat")
    for update in updates:
        require_aware(update.fix_time, f"fix time of unit {update.unit_id}")
    params = {
        "device": [f.device_id for f in fixes],
        "unit": [f.unit_id for f in fixes],
        "fix": [f.fix_time for f in fixes],
        "recv": [f.received_at for f in fixes],
        "x": [f.position.lon for f in fixes],
        "y": [f.position.lat for f in fixes],
        "sp": [f.speed_kph for f in fixes],
        "co": [f.course_deg for f in fixes],
        "acc": [f.accuracy_m for f in fixes],
        "alt": [f.altitude_m for f in fixes],
        "src": [f.source_protocol for f in fixes],
        "flags": [_flags_json(f.flags) for f in fixes],
        "u_id": [u.unit_id for u in updates],
        "u_x": [u.position.lon for u in updates],
        "u_y": [u.position.lat for u in updates],
        "u_t": [u.fix_time for u in updates],
        "u_sp": [u.speed_kph for u in updates],
        "u_co": [u.course_deg for u in updates],
        "u_su": [u.snapped.u if u.snapped else None for u in updates],
        "u_sv": [u.snapped.v if u.snapped else None for u in updates],
        "u_sk": [u.snapped.key if u.snapped else None for u in updates],
        "u_so": [u.snapped.offset_m if u.snapped else None for u in updates],
        "u_sd": [u.snapped.distance_m if u.snapped else None for u in updates],
    }
    with connection.cursor() as cur:
        cur.execute(_STATEMENT, params, prepare=True)
        return int(cur.rowcount or 0)
