"""Native compact JSON from in-vehicle trackers → :class:`~tracking.fix.PositionFix`.

The format is ours, published as JSON Schema (draft 2020-12) in ``tracking/schemas/native_fix.schema.json``
(load it with :func:`tracking.schemas.native_fix_schema`)::

    {"v": 1, "id": "TRK-001", "t": 1717200000, "lat": 0.7712, "lon": 102.0501,
     "spd": 42.5, "crs": 271, "acc": 4.8, "alt": 12, "bat": 88, "chg": true}

``t`` is the GPS fix time, epoch seconds or ISO 8601 with an offset; ``spd`` km/h; ``crs`` degrees;
``acc``/``alt`` metres; ``bat`` percent; ``chg`` on vehicle power. This module applies the same rules as the
schema without needing a JSON Schema library (a unit test holds the two together); because we define the
format, any value outside the schema rejects the whole message, and so does an unknown field.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from dispatch_geo.domain.values import LonLat, require_aware
from tracking.decoders._common import (
    Reject,
    brief,
    check_device_id,
    epoch_to_utc,
    get_number,
    need_number,
    parse_iso8601,
    parse_json_object,
)
from tracking.fix import Decoded, DecodeResult, FixSource, PositionFix

log = logging.getLogger(__name__)

FORMAT_VERSION = 1

REQUIRED_FIELDS = ("v", "id", "t", "lat", "lon")
OPTIONAL_FIELDS = ("spd", "crs", "acc", "alt", "bat", "chg")

NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "spd": (0.0, 400.0),
    "crs": (0.0, 360.0),
    "acc": (0.0, 100_000.0),
    "alt": (-1000.0, 10_000.0),
    "bat": (0.0, 100.0),
}
"""Inclusive ``(minimum, maximum)`` of each numeric field, as in the schema."""

EPOCH_MIN_S = 946_684_800
"""2000-01-01T00:00:00Z, the schema's ``minimum`` for an epoch ``t``."""
EPOCH_MAX_S = 4_102_444_800
"""2100-01-01T00:00:00Z, the schema's ``exclusiveMaximum`` for an epoch ``t``; epoch ms all exceed it."""

ISO_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
"""The schema's ``pattern`` for a string ``t``."""
_ISO_TIME_RE = re.compile(ISO_TIME_PATTERN)


def decode_native(
    payload: bytes | str,
    *,
    received_at: datetime,
    expected_device_id: str | None = None,
) -> DecodeResult:
    """Decode one native tracker message; never raises for a bad payload.

    Parameters
    ----------
    payload
        The raw MQTT payload or HTTP body.
    received_at
        When the server received it (timezone-aware).
    expected_device_id
        The device the transport vouches for (e.g. from the MQTT topic the broker's ACL lets only that
        tracker publish on); a payload naming another ``id`` is rejected as ``"device_id_mismatch"``.
    """
    require_aware(received_at, "received_at")
    try:
        return Decoded(_decode(payload, received_at, expected_device_id))
    except Reject as exc:
        log.debug("native message rejected (%s): %s", exc.reason, exc.detail)
        return exc.as_result()


def _decode(payload: bytes | str, received_at: datetime, expected_device_id: str | None) -> PositionFix:
    obj = parse_json_object(payload)
    unknown = sorted(set(obj) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise Reject("unknown_field", f"unknown field(s) {brief(unknown)}")
    for name in REQUIRED_FIELDS:
        if name not in obj:
            raise Reject(f"missing_field:{name}", f"{name} is required")
    for name, value in obj.items():
        if value is None:  # the schema has no nullable field: null is a wrong type, not "absent"
            raise Reject(f"bad_type:{name}", f"{name} is null")
    version = obj["v"]
    if isinstance(version, bool) or not isinstance(version, int | float):
        raise Reject("bad_type:v", f"v is {brief(version)}, expected the number {FORMAT_VERSION}")
    if version != FORMAT_VERSION:
        raise Reject("unsupported_version", f"v {brief(version)}; this decoder reads v {FORMAT_VERSION}")
    device_id = obj["id"]
    if not isinstance(device_id, str):
        raise Reject("bad_type:id", f"id is {brief(device_id)}, expected a string")
    check_device_id(device_id)
    if expected_device_id is not None and device_id != expected_device_id:
        detail = f"id {brief(device_id)} but the transport says {expected_device_id}"
        raise Reject("device_id_mismatch", detail)
    fix_time = _fix_time(obj["t"])

    values = {name: _ranged(obj, name) for name in NUMBER_RANGES}
    lat, lon = need_number(obj, "lat"), need_number(obj, "lon")
    charging = obj.get("chg")
    if "chg" in obj and not isinstance(charging, bool):
        raise Reject("bad_type:chg", f"chg is {brief(charging)}, expected true or false")
    return PositionFix(
        device_id=device_id,
        position=LonLat(lon=lon, lat=lat),
        fix_time=fix_time,
        received_at=received_at,
        source=FixSource.NATIVE,
        speed_kph=values["spd"],
        course_deg=values["crs"],
        accuracy_m=values["acc"],
        altitude_m=values["alt"],
        battery_pct=values["bat"],
        charging=charging,
    )


def _ranged(obj: dict[str, Any], name: str) -> float | None:
    value = get_number(obj, name)
    low, high = NUMBER_RANGES[name]
    if value is not None and not low <= value <= high:
        raise Reject(f"out_of_range:{name}", f"{name} {value!r} outside [{low}, {high}]")
    return value


def _fix_time(value: Any) -> datetime:
    if isinstance(value, str):
        if not _ISO_TIME_RE.fullmatch(value):
            raise Reject("bad_value:t", f"t {brief(value)} is not YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)")
        return parse_iso8601(value, "t", naive_is_utc=False)
    seconds = need_number({"t": value}, "t")
    if not EPOCH_MIN_S <= seconds < EPOCH_MAX_S:
        raise Reject("out_of_range:t", f"t {brief(value)} is not epoch seconds in [2000, 2100)")
    return epoch_to_utc(seconds, "t")
