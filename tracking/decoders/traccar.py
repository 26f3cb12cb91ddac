"""Traccar Client / OsmAnd HTTP protocol → :class:`~tracking.fix.PositionFix`.

Two encodings, both served by Traccar on port 5055 (https://www.traccar.org/osmand/):

* **Query or form parameters** (OsmAnd, Traccar Client before 9.0, many DIY trackers): ``GET`` with a
  query string or ``POST`` with an ``application/x-www-form-urlencoded`` body. What this decoder reads
  follows Traccar's ``OsmAndProtocolDecoder`` (traccar/traccar, ``src/main/java/org/traccar/protocol/``):
  ``id`` or ``deviceid``; ``valid`` (``true``/``false``/``1``/``0``); ``timestamp`` as Unix seconds, Unix
  *milliseconds* (any integer >= 2**31-1 is taken as ms, Traccar's rule), or a date-time (``T``-separated
  ISO 8601, or ``yyyy-MM-dd HH:mm:ss``; without an offset it is taken as UTC); ``lat`` and ``lon`` or
  ``location=<lat>,<lon>``; ``speed`` in **knots** (× 1.852 → km/h); ``bearing`` or ``heading`` (degrees);
  ``altitude`` and ``accuracy`` (metres); ``hdop``; ``batt`` or ``battery`` (percent); ``charge``
  (``true``/``false``).
  Other parameters (``cell``, ``wifi``, ``driverUniqueId``, sensor extras) are ignored.
* **JSON body** (Traccar Client 9.0 and later; server 6.7+), the native format of its background location
  SDK, as documented on the same page and in Traccar's ``OsmAndProtocolDecoderTest``::

      {"location": {"timestamp": "2025-06-15T13:45:12.862Z",
                    "coords": {"latitude": .., "longitude": .., "accuracy": m, "speed": m/s,
                               "heading": deg, "altitude": m},
                    "is_moving": false, "odometer": 0, "event": "motionchange",
                    "battery": {"level": 0..1, "is_charging": false}, "activity": {"type": "still"},
                    "extras": {}},
       "device_id": "48241179"}

  iOS reports ``-1`` for an unknown speed, heading or battery level; those become ``None``.

Decisions: a fix needs a time and a position, so unlike Traccar (which stamps the server time on a request
without ``timestamp`` and accepts cell-only requests) both are required here; ``valid=false`` is rejected as
``"invalid_fix"``; a negative ``accuracy`` (iOS: "no valid position") is rejected; a parameter repeated with
different values is rejected as ``"duplicate_field:<name>"``.
"""

from __future__ import annotations

import logging
import math
import re
import urllib.parse
from collections.abc import Mapping, Sequence
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
    payload_text,
)
from tracking.fix import Decoded, DecodeResult, FixSource, PositionFix

log = logging.getLogger(__name__)

KNOT_KPH = 1.852
"""Kilometres per hour in one knot (exact, by definition of the nautical mile)."""
MPS_KPH = 3.6

MAX_PARAMS = 64
"""Most query/form fields accepted in one request (Traccar Client sends about ten)."""
MAX_PARAM_CHARS = 256

_MS_THRESHOLD = 2**31 - 1
"""Traccar's rule: an integer ``timestamp`` below ``Integer.MAX_VALUE`` is seconds, otherwise milliseconds."""

_DECIMAL_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")
_INTEGER_RE = re.compile(r"[0-9]{1,15}")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def decode_traccar_query(query: bytes | str, *, received_at: datetime) -> DecodeResult:
    """Decode a raw query string or form body (``id=..&lat=..``; a leading ``/?`` or URL is allowed).

    Never raises for bad input. Percent-escapes must decode to UTF-8 (else ``"not_utf8"``); more than
    :data:`MAX_PARAMS` fields is ``"too_many_fields"``.
    """
    require_aware(received_at, "received_at")
    try:
        text = payload_text(query)
        if "?" in text:
            text = text.split("?", 1)[1]
        try:
            params = urllib.parse.parse_qs(
                text, keep_blank_values=True, max_num_fields=MAX_PARAMS, errors="strict"
            )
        except UnicodeDecodeError:
            raise Reject("not_utf8", "a percent-escape does not decode to UTF-8") from None
        except ValueError:
            raise Reject("too_many_fields", f"more than {MAX_PARAMS} fields") from None
        return Decoded(_from_params(params, received_at))
    except Reject as exc:
        log.debug("traccar query rejected (%s): %s", exc.reason, exc.detail)
        return exc.as_result()


def decode_traccar_params(
    params: Mapping[str, str | Sequence[str]], *, received_at: datetime
) -> DecodeResult:
    """Decode already-parsed query/form parameters.

    Each value is one string or a sequence of strings (a repeated parameter), as ``urllib.parse.parse_qs``
    returns; from Starlette/FastAPI pass ``{k: params.getlist(k) for k in params}`` so that repeated
    parameters are seen (``params.get`` keeps only one). Never raises for bad input.
    """
    require_aware(received_at, "received_at")
    try:
        return Decoded(_from_params(params, received_at))
    except Reject as exc:
        log.debug("traccar parameters rejected (%s): %s", exc.reason, exc.detail)
        return exc.as_result()


def decode_traccar_json(payload: bytes | str, *, received_at: datetime) -> DecodeResult:
    """Decode a Traccar Client (9.0+) JSON body. Never raises for bad input."""
    require_aware(received_at, "received_at")
    try:
        return Decoded(_from_json(parse_json_object(payload), received_at))
    except Reject as exc:
        log.debug("traccar json rejected (%s): %s", exc.reason, exc.detail)
        return exc.as_result()


# --- query / form parameters -------------------------------------------------------------------------


def _single(params: Mapping[str, str | Sequence[str]], *names: str) -> str | None:
    """The one value of the first of ``names`` present (aliases must agree), or ``None``."""
    found: str | None = None
    for name in names:
        raw = params.get(name)
        if raw is None:
            continue
        if isinstance(raw, str):
            values: list[object] = [raw]
        elif isinstance(raw, Sequence) and not isinstance(raw, bytes | bytearray):
            values = list(raw)
        else:
            raise Reject(
                f"bad_type:{names[0]}", f"{name} is {brief(raw)}, expected a string or list of strings"
            )
        for value in values:
            if not isinstance(value, str):
                raise Reject(f"bad_type:{names[0]}", f"{name} is {brief(value)}, expected a string")
            if len(value) > MAX_PARAM_CHARS:
                raise Reject(f"bad_value:{names[0]}", f"{name} is longer than {MAX_PARAM_CHARS} characters")
            if found is not None and value != found:
                raise Reject(f"duplicate_field:{names[0]}", f"{name} given twice with different values")
            found = value
    return found


def _decimal(text: str | None, name: str) -> float | None:
    if text is None or text == "":
        return None
    if not _DECIMAL_RE.fullmatch(text):
        raise Reject(f"bad_value:{name}", f"{name} {brief(text)} is not a decimal number")
    value = float(text)
    if not math.isfinite(value):
        raise Reject(f"out_of_range:{name}", f"{name} {brief(text)} is not finite")
    return value


def _flag(text: str | None, name: str) -> bool | None:
    if text is None or text == "":
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise Reject(f"bad_value:{name}", f"{name} {brief(text)} is not true/false/1/0")


def _timestamp(text: str) -> datetime:
    if _INTEGER_RE.fullmatch(text):
        number = int(text)
        seconds = number if number < _MS_THRESHOLD else number / 1000.0
        return epoch_to_utc(seconds, "timestamp")
    return parse_iso8601(text, "timestamp", naive_is_utc=True)


def _from_params(params: Mapping[str, str | Sequence[str]], received_at: datetime) -> PositionFix:
    if len(params) > MAX_PARAMS:
        raise Reject("too_many_fields", f"{len(params)} fields > {MAX_PARAMS}")
    device_id = _single(params, "id", "deviceid")
    if not device_id:
        raise Reject("missing_field:id", "id (or deviceid) is required")
    check_device_id(device_id)
    if _flag(_single(params, "valid"), "valid") is False:
        raise Reject("invalid_fix", "the device marked this fix valid=false")
    stamp = _single(params, "timestamp")
    if not stamp:
        raise Reject("missing_field:timestamp", "timestamp is required")
    fix_time = _timestamp(stamp)

    lat = _decimal(_single(params, "lat"), "lat")
    lon = _decimal(_single(params, "lon"), "lon")
    location = _single(params, "location")
    if (lat is None or lon is None) and location:
        parts = location.split(",")
        if len(parts) != 2:
            raise Reject("bad_value:location", f"location {brief(location)} is not <lat>,<lon>")
        lat, lon = _decimal(parts[0], "lat"), _decimal(parts[1], "lon")
    if lat is None:
        raise Reject("missing_field:lat", "lat (or location) is required")
    if lon is None:
        raise Reject("missing_field:lon", "lon (or location) is required")

    accuracy_m = _decimal(_single(params, "accuracy"), "accuracy")
    speed_knots = _decimal(_single(params, "speed"), "speed")
    battery = _decimal(_single(params, "batt", "battery"), "batt")  # OsmAnd-protocol clients: either name
    return _build(
        device_id=device_id,
        lat=lat,
        lon=lon,
        fix_time=fix_time,
        received_at=received_at,
        speed_kph=speed_knots * KNOT_KPH if speed_knots is not None else None,
        course_deg=_decimal(_single(params, "bearing", "heading"), "bearing"),
        accuracy_m=accuracy_m,
        altitude_m=_decimal(_single(params, "altitude"), "altitude"),
        battery_pct=battery,
        charging=_flag(_single(params, "charge"), "charge"),
    )


# --- JSON body ---------------------------------------------------------------------------------------


def _object(obj: dict[str, Any], key: str, *, required: bool) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise Reject(f"missing_field:{key}", f"{key} is required")
        return None
    if not isinstance(value, dict):
        raise Reject(f"bad_type:{key}", f"{key} is {brief(value)}, expected an object")
    return value


def _from_json(root: dict[str, Any], received_at: datetime) -> PositionFix:
    device_id = root.get("device_id")
    if device_id is None:
        raise Reject("missing_field:device_id", "device_id is required")
    if not isinstance(device_id, str):
        raise Reject("bad_type:device_id", f"device_id is {brief(device_id)}, expected a string")
    check_device_id(device_id, "device_id")
    location = _object(root, "location", required=True)
    coords = _object(location, "coords", required=True) if location is not None else None
    if location is None or coords is None:  # pragma: no cover - required=True already refused it
        raise Reject("missing_field:coords", "location.coords is required")
    stamp = location.get("timestamp")
    if stamp is None:
        raise Reject("missing_field:timestamp", "location.timestamp is required")
    if not isinstance(stamp, str):
        raise Reject("bad_type:timestamp", f"timestamp is {brief(stamp)}, expected an ISO 8601 string")
    fix_time = parse_iso8601(stamp, "timestamp", naive_is_utc=False)

    speed_mps = get_number(coords, "speed")
    battery_pct: float | None = None
    charging: bool | None = None
    battery = _object(location, "battery", required=False)
    if battery is not None:
        level = get_number(battery, "level")
        battery_pct = level * 100.0 if level is not None and 0.0 <= level <= 1.0 else None
        flag = battery.get("is_charging")
        if flag is not None and not isinstance(flag, bool):
            raise Reject("bad_type:is_charging", f"is_charging is {brief(flag)}, expected true or false")
        charging = flag
    return _build(
        device_id=device_id,
        lat=need_number(coords, "latitude"),
        lon=need_number(coords, "longitude"),
        fix_time=fix_time,
        received_at=received_at,
        speed_kph=speed_mps * MPS_KPH if speed_mps is not None else None,
        course_deg=get_number(coords, "heading"),
        accuracy_m=get_number(coords, "accuracy"),
        altitude_m=get_number(coords, "altitude"),
        battery_pct=battery_pct,
        charging=charging,
    )


# --- shared ------------------------------------------------------------------------------------------


def _build(
    *,
    device_id: str,
    lat: float,
    lon: float,
    fix_time: datetime,
    received_at: datetime,
    speed_kph: float | None,
    course_deg: float | None,
    accuracy_m: float | None,
    altitude_m: float | None,
    battery_pct: float | None,
    charging: bool | None,
) -> PositionFix:
    """Range-check and assemble: bad coordinates reject, unknown (negative) sensor values become ``None``."""
    if not -90.0 <= lat <= 90.0:
        raise Reject("out_of_range:lat", f"lat {lat!r} outside [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise Reject("out_of_range:lon", f"lon {lon!r} outside [-180, 180]")
    if accuracy_m is not None and accuracy_m < 0:
        raise Reject("out_of_range:accuracy", f"accuracy {accuracy_m!r} < 0: the device says it has no fix")
    if speed_kph is not None and speed_kph < 0:
        speed_kph = None
    if course_deg is not None and not 0.0 <= course_deg <= 360.0:
        course_deg = None
    if battery_pct is not None and not 0.0 <= battery_pct <= 100.0:
        battery_pct = None
    return PositionFix(
        device_id=device_id,
        position=LonLat(lon=lon, lat=lat),
        fix_time=fix_time,
        received_at=received_at,
        source=FixSource.TRACCAR,
        speed_kph=speed_kph,
        course_deg=course_deg,
        accuracy_m=accuracy_m,
        altitude_m=altitude_m,
        battery_pct=battery_pct,
        charging=charging,
    )
