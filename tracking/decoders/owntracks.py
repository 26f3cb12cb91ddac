"""OwnTracks (Android / iOS app) JSON messages → :class:`~tracking.fix.PositionFix`.

Format as documented in the OwnTracks booklet, "JSON" (owntracks/booklet ``docs/tech/json.md``) and
summarised in REFERENCE.md §1:

* MQTT mode publishes ``_type: location`` (and the broker's ``_type: lwt``) on ``owntracks/<user>/<device>``;
  sub-topics ``/event`` (``transition``), ``/cmd``, ``/waypoint(s)``, ``/status``, ``/dump``, ``/step``,
  ``/beacon``, ``/info`` carry other types. HTTP mode POSTs the same JSON to one URL, naming the device in a
  ``topic`` element (``tid`` alone is not enough to tell devices apart).
* ``location`` elements: ``lat``/``lon`` (required), ``tst`` (required, epoch seconds *of the GPS fix*),
  ``created_at`` (epoch seconds the message was built), ``acc``, ``alt``, ``vac`` (older ``vacc``), ``vel``
  (**km/h**), ``cog``, ``batt`` (%), ``bs`` (0 unknown, 1 unplugged, 2 charging, 3 full), ``tid`` (defaults
  to the last two characters of the topic), ``t`` (trigger), ``conn``, ``m``, ``inregions``, ``inrids``,
  ``topic``, ``_id``, ``poi``, ``tag``, ``SSID``, ``BSSID``, ``motionactivities``, ``p``, ``rad``.
  ``acc``, ``alt``, ``cog``, ``vac`` and ``vel`` are only sent when non-zero.

Decisions (the apps send JSON numbers, so this decoder is strict about types and lenient about values):

* A field of the wrong JSON type rejects the message (``"bad_type:<field>"``): booleans are not numbers and
  numeric strings (as the 2013 ``mqttitude`` app sent) are not numbers either.
* ``lat``/``lon`` outside their ranges, and a negative ``acc`` (iOS's "no valid position"), reject the
  message (``"out_of_range:<field>"``); a sensor value that is out of range (negative ``vel``/``cog`` - iOS
  sends -1 for "unknown" -, ``batt`` outside 0-100) is dropped to ``None`` so the position is not lost.
  A negative ``vac`` means "altitude invalid": ``alt`` is dropped.
* The device id is ``"<user>/<device>"`` from the MQTT topic. In HTTP mode the caller passes no topic and the
  payload's ``topic`` element is used; when both exist the MQTT topic wins, because the broker's ACL vouches
  for it while the payload's element is whatever the sender wrote.
* ``lwt``, ``transition``, ``waypoint(s)``, ``status``, ``cmd``, ``card``, ``configuration``, ``beacon``,
  ``steps``, ``request`` and ``msg`` are :class:`~tracking.fix.Ignored` with their type as ``kind``
  (positions come from ``location`` messages, which the apps also send at region transitions with
  ``t: "c"``). Anything arriving on a sub-topic is ignored, a stray ``location`` there included.
  ``encrypted`` payloads are *rejected* (``"encrypted_unsupported"``): they are positions we cannot read,
  and an operator should see them counted.
* ``p``, ``m``, ``_id``, ``inrids``, ``poi``, ``tag``, ``SSID``, ``BSSID``, ``motionactivities`` and
  ``rad`` are not needed for dispatch and are not read at all.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dispatch_geo.domain.values import LonLat, require_aware
from tracking.decoders._common import (
    Reject,
    brief,
    check_device_id,
    check_text,
    epoch_to_utc,
    get_number,
    get_text,
    need_number,
    parse_json_object,
)
from tracking.fix import Decoded, DecodeResult, FixSource, Ignored, PositionFix

log = logging.getLogger(__name__)

DEFAULT_TOPIC_PREFIX = "owntracks"
"""First topic level of the apps' default ``pubTopicBase`` ``owntracks/%u/%d``."""

IGNORED_TYPES = frozenset(
    {
        "lwt",
        "transition",
        "waypoint",
        "waypoints",
        "status",
        "cmd",
        "card",
        "configuration",
        "beacon",
        "steps",
        "request",
        "msg",
    }
)
"""OwnTracks ``_type`` values that are well-formed but carry no position for dispatch."""

_BATTERY_STATUS_CHARGING = {0: None, 1: False, 2: True, 3: True}


def parse_topic(topic: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> tuple[str, str, str | None]:
    """Split ``<prefix>/<user>/<device>[/<sub>...]`` into ``(user, device, sub)``.

    ``sub`` is the rest after the device (``"event"``, ``"cmd"``...) or ``None`` on the base topic.

    Raises
    ------
    Reject
        ``"bad_topic"`` for another prefix or fewer levels, ``"bad_device_id"`` for a user or device name
        outside :data:`~tracking.decoders._common.DEVICE_ID_RE`.
    """
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != prefix:
        raise Reject("bad_topic", f"topic {brief(topic)} is not {prefix}/<user>/<device>[/...]")
    user = check_device_id(levels[1], "topic user")
    device = check_device_id(levels[2], "topic device")
    sub = "/".join(levels[3:]) or None
    return user, device, sub


def decode_owntracks(
    payload: bytes | str,
    *,
    topic: str | None,
    received_at: datetime,
    topic_prefix: str = DEFAULT_TOPIC_PREFIX,
) -> DecodeResult:
    """Decode one OwnTracks message; never raises for a bad payload.

    Parameters
    ----------
    payload
        The raw MQTT payload or HTTP body.
    topic
        The MQTT topic it was published on, or ``None`` in HTTP mode (then the payload's ``topic`` element
        names the device; an HTTP endpoint that authenticates the OwnTracks ``X-Limit-U``/``X-Limit-D``
        headers can instead pass ``f"owntracks/{user}/{device}"`` here).
    received_at
        When the server received the message (timezone-aware).
    topic_prefix
        First topic level, if the apps were configured with another ``pubTopicBase``.

    Returns
    -------
    DecodeResult
        :class:`~tracking.fix.Decoded` for a ``location`` message, :class:`~tracking.fix.Ignored` for the
        other known types, :class:`~tracking.fix.Rejected` with a reason code otherwise.
    """
    require_aware(received_at, "received_at")
    try:
        return _decode(payload, topic, received_at, topic_prefix)
    except Reject as exc:
        log.debug("owntracks message rejected (%s): %s", exc.reason, exc.detail)
        return exc.as_result()


def _decode(payload: bytes | str, topic: str | None, received_at: datetime, prefix: str) -> DecodeResult:
    parsed_topic = parse_topic(topic, prefix) if topic is not None else None
    obj = parse_json_object(payload)
    msg_type = get_text(obj, "_type", required=True)
    if msg_type != "location" and msg_type not in IGNORED_TYPES:
        if msg_type == "encrypted":
            raise Reject("encrypted_unsupported", "encrypted OwnTracks payloads are not supported")
        raise Reject("unknown_type", f"_type {brief(msg_type)} is not an OwnTracks message type")
    if parsed_topic is None:
        topic_text = get_text(obj, "topic")
        parsed_topic = parse_topic(topic_text, prefix) if topic_text is not None else None
        topic = topic_text
    device_id = f"{parsed_topic[0]}/{parsed_topic[1]}" if parsed_topic else None
    if parsed_topic is not None and parsed_topic[2] is not None:
        kind = msg_type if msg_type in IGNORED_TYPES else "location_on_subtopic"
        return Ignored(kind=kind, device_id=device_id)
    if msg_type != "location":
        return Ignored(kind=msg_type, device_id=device_id)
    if device_id is None or topic is None:
        raise Reject("missing_field:topic", "no MQTT topic and no topic element: cannot tell the device")
    return Decoded(_location(obj, device_id, topic, received_at))


def _location(obj: dict[str, Any], device_id: str, topic: str, received_at: datetime) -> PositionFix:
    lat = need_number(obj, "lat")
    lon = need_number(obj, "lon")
    tst = need_number(obj, "tst")
    if not -90.0 <= lat <= 90.0:
        raise Reject("out_of_range:lat", f"lat {lat!r} outside [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise Reject("out_of_range:lon", f"lon {lon!r} outside [-180, 180]")
    fix_time = epoch_to_utc(tst, "tst")
    created_at_s = get_number(obj, "created_at")
    created_at = epoch_to_utc(created_at_s, "created_at") if created_at_s is not None else None

    accuracy_m = get_number(obj, "acc")
    if accuracy_m is not None and accuracy_m < 0:
        raise Reject("out_of_range:acc", f"acc {accuracy_m!r} < 0: the device says the position is invalid")
    altitude_m = get_number(obj, "alt")
    vac = get_number(obj, "vac")
    if vac is None:
        vac = get_number(obj, "vacc")
    if vac is not None and vac < 0:
        altitude_m, vac = None, None
    speed_kph = _non_negative(get_number(obj, "vel"))
    course = _non_negative(get_number(obj, "cog"))
    if course is not None and course > 360.0:
        course = None
    battery_pct = get_number(obj, "batt")
    if battery_pct is not None and not 0.0 <= battery_pct <= 100.0:
        battery_pct = None
    bs = get_number(obj, "bs")
    charging = _BATTERY_STATUS_CHARGING.get(int(bs)) if bs is not None and bs == int(bs) else None

    tracker_id = get_text(obj, "tid")
    if tracker_id is None:
        tracker_id = topic[-2:]
    regions = _regions(obj)
    return PositionFix(
        device_id=device_id,
        position=LonLat(lon=lon, lat=lat),
        fix_time=fix_time,
        received_at=received_at,
        source=FixSource.OWNTRACKS,
        speed_kph=speed_kph,
        course_deg=course,
        accuracy_m=accuracy_m,
        altitude_m=altitude_m,
        battery_pct=battery_pct,
        tracker_id=tracker_id,
        trigger=get_text(obj, "t"),
        conn=get_text(obj, "conn"),
        created_at=created_at,
        vertical_accuracy_m=vac,
        charging=charging,
        regions=regions,
    )


def _non_negative(value: float | None) -> float | None:
    return value if value is not None and value >= 0 else None


def _regions(obj: dict[str, Any]) -> tuple[str, ...]:
    value = obj.get("inregions")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Reject("bad_type:inregions", f"inregions {brief(value)} is not a list of strings")
    if len(value) > 32:
        raise Reject("bad_value:inregions", f"{len(value)} regions; at most 32 are kept")
    return tuple(check_text(item, "inregions") for item in value)
