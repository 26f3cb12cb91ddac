"""OwnTracks decoder: field semantics, topics, HTTP mode and strictness on types."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from tracking.decoders.owntracks import decode_owntracks, parse_topic
from tracking.fix import Decoded, DecodeResult, FixSource, Ignored, PositionFix, Rejected

RECEIVED_AT = datetime(2024, 6, 1, 0, 5, tzinfo=UTC)
TOPIC = "owntracks/damkar/unit01"
BASE: dict[str, Any] = {"_type": "location", "lat": 0.7961, "lon": 102.0484, "tst": 1717200000}


def decode(obj: dict[str, Any] | str | bytes, topic: str | None = TOPIC) -> DecodeResult:
    payload = json.dumps(obj) if isinstance(obj, dict) else obj
    return decode_owntracks(payload, topic=topic, received_at=RECEIVED_AT)


def fix_of(obj: dict[str, Any], topic: str | None = TOPIC) -> PositionFix:
    result = decode(obj, topic)
    assert isinstance(result, Decoded), result
    return result.fix


def reason_of(obj: dict[str, Any] | str | bytes, topic: str | None = TOPIC) -> str:
    result = decode(obj, topic)
    assert isinstance(result, Rejected), result
    return result.reason


def test_minimal_location_becomes_a_fix_at_the_gps_time() -> None:
    fix = fix_of(BASE)
    assert fix.device_id == "damkar/unit01"
    assert fix.position == LonLat(lon=102.0484, lat=0.7961)
    assert fix.fix_time == datetime(2024, 6, 1, tzinfo=UTC)
    assert fix.received_at == RECEIVED_AT
    assert fix.source == FixSource.OWNTRACKS
    assert str(fix.source) == "owntracks"
    assert fix.unit_id is None
    assert fix.tracker_id == "01"  # last two characters of the topic
    assert (fix.speed_kph, fix.course_deg, fix.accuracy_m, fix.altitude_m, fix.battery_pct) == (None,) * 5


def test_vel_is_already_kilometres_per_hour() -> None:
    assert fix_of({**BASE, "vel": 54}).speed_kph == 54


def test_created_at_is_kept_apart_from_the_fix_time() -> None:
    fix = fix_of({**BASE, "created_at": 1717200600})
    assert fix.fix_time == datetime(2024, 6, 1, tzinfo=UTC)
    assert fix.created_at == datetime(2024, 6, 1, tzinfo=UTC) + timedelta(minutes=10)


def test_older_vacc_spelling_is_read_and_negative_vac_drops_the_altitude() -> None:
    assert fix_of({**BASE, "alt": 20, "vacc": 4}).vertical_accuracy_m == 4
    fix = fix_of({**BASE, "alt": 20, "vac": -1})
    assert (fix.altitude_m, fix.vertical_accuracy_m) == (None, None)


@pytest.mark.parametrize(("bs", "charging"), [(0, None), (1, False), (2, True), (3, True), (7, None)])
def test_battery_status_tells_whether_the_phone_is_charging(bs: int, charging: bool | None) -> None:
    assert fix_of({**BASE, "bs": bs}).charging is charging


@pytest.mark.parametrize(
    ("extra", "field", "expected"),
    [
        ({"vel": -1}, "speed_kph", None),
        ({"cog": -1}, "course_deg", None),
        ({"cog": 400}, "course_deg", None),
        ({"cog": 360}, "course_deg", 0.0),
        ({"batt": 101}, "battery_pct", None),
        ({"batt": -1}, "battery_pct", None),
    ],
)
def test_unknown_sensor_values_are_dropped_but_the_position_kept(
    extra: dict[str, Any], field: str, expected: float | None
) -> None:
    fix = fix_of({**BASE, **extra})
    assert getattr(fix, field) == expected
    assert fix.position == LonLat(lon=102.0484, lat=0.7961)


def test_http_mode_names_the_device_from_the_topic_element() -> None:
    fix = fix_of({**BASE, "topic": "owntracks/psc119/hp02", "tid": "P2"}, topic=None)
    assert fix.device_id == "psc119/hp02"
    assert fix.tracker_id == "P2"


def test_http_mode_without_a_topic_cannot_name_the_device() -> None:
    assert reason_of({**BASE, "tid": "P2"}, topic=None) == "missing_field:topic"


def test_the_mqtt_topic_wins_over_a_topic_element_in_the_payload() -> None:
    fix = fix_of({**BASE, "topic": "owntracks/someone/else"})
    assert fix.device_id == "damkar/unit01"


@pytest.mark.parametrize(
    ("payload_type", "topic", "kind"),
    [
        ("lwt", TOPIC, "lwt"),
        ("transition", TOPIC + "/event", "transition"),
        ("transition", TOPIC, "transition"),
        ("status", TOPIC + "/status", "status"),
        ("cmd", TOPIC + "/cmd", "cmd"),
        ("waypoint", TOPIC + "/waypoint", "waypoint"),
        ("waypoints", TOPIC + "/waypoints", "waypoints"),
        ("card", TOPIC + "/info", "card"),
        ("steps", TOPIC + "/step", "steps"),
        ("beacon", TOPIC + "/beacon", "beacon"),
        ("configuration", TOPIC + "/dump", "configuration"),
        ("location", TOPIC + "/event", "location_on_subtopic"),
    ],
)
def test_non_location_messages_are_ignored_deliberately(payload_type: str, topic: str, kind: str) -> None:
    result = decode({**BASE, "_type": payload_type}, topic)
    assert result == Ignored(kind=kind, device_id="damkar/unit01")


def test_lwt_without_tst_is_still_recognised() -> None:
    assert decode({"_type": "lwt"}) == Ignored(kind="lwt", device_id="damkar/unit01")


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({k: v for k, v in BASE.items() if k != "lat"}, "missing_field:lat"),
        ({k: v for k, v in BASE.items() if k != "lon"}, "missing_field:lon"),
        ({k: v for k, v in BASE.items() if k != "tst"}, "missing_field:tst"),
        ({k: v for k, v in BASE.items() if k != "_type"}, "missing_field:_type"),
        ({**BASE, "lat": True}, "bad_type:lat"),
        ({**BASE, "lon": "102.0484"}, "bad_type:lon"),
        ({**BASE, "tst": "1717200000"}, "bad_type:tst"),
        ({**BASE, "tst": False}, "bad_type:tst"),
        ({**BASE, "acc": [1]}, "bad_type:acc"),
        ({**BASE, "vel": "fast"}, "bad_type:vel"),
        ({**BASE, "tid": 12}, "bad_type:tid"),
        ({**BASE, "inregions": "Home"}, "bad_type:inregions"),
        ({**BASE, "inregions": [1, 2]}, "bad_type:inregions"),
        ({**BASE, "_type": 5}, "bad_type:_type"),
        ({**BASE, "_type": "teleport"}, "unknown_type"),
        ({**BASE, "lat": 90.0001}, "out_of_range:lat"),
        ({**BASE, "lon": -180.5}, "out_of_range:lon"),
        ({**BASE, "tst": -1}, "out_of_range:tst"),
        ({**BASE, "tst": 10**20}, "out_of_range:tst"),
        ({**BASE, "acc": -1}, "out_of_range:acc"),
        ({**BASE, "lat": 10**400}, "out_of_range:lat"),
        ({**BASE, "tid": "a\u0000b"}, "bad_value:tid"),
        ({**BASE, "t": "x" * 200}, "bad_value:t"),
    ],
)
def test_malformed_locations_are_rejected_with_a_reason(obj: dict[str, Any], reason: str) -> None:
    assert reason_of(obj) == reason


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_non_finite_numbers_are_rejected_although_python_json_accepts_them(literal: str) -> None:
    payload = f'{{"_type":"location","lat":{literal},"lon":102.0,"tst":1717200000}}'
    assert reason_of(payload) == "non_finite_number"


def test_a_repeated_key_is_rejected_rather_than_silently_taking_one() -> None:
    payload = '{"_type":"location","lat":0.79,"lat":91,"lon":102.0,"tst":1717200000}'
    assert reason_of(payload) == "duplicate_key"


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("owntracks/damkar", "bad_topic"),
        ("tracking/damkar/unit01", "bad_topic"),
        ("owntracks//unit01", "bad_device_id"),
        ("owntracks/damkar/+", "bad_device_id"),
        ("owntracks/dаmkar/unit01", "bad_device_id"),  # Cyrillic "а"
        ("owntracks/damkar/unit 01", "bad_device_id"),
    ],
)
def test_bad_topics_are_rejected(topic: str, reason: str) -> None:
    assert reason_of(BASE, topic) == reason


def test_parse_topic_splits_user_device_and_subtopic() -> None:
    assert parse_topic("owntracks/damkar/unit01") == ("damkar", "unit01", None)
    assert parse_topic("owntracks/damkar/unit01/event") == ("damkar", "unit01", "event")


def test_a_custom_topic_prefix_is_honoured() -> None:
    result = decode_owntracks(
        json.dumps(BASE), topic="siak/damkar/unit01", received_at=RECEIVED_AT, topic_prefix="siak"
    )
    assert isinstance(result, Decoded)
    assert result.fix.device_id == "damkar/unit01"


def test_fields_not_needed_for_dispatch_are_not_read() -> None:
    fix = fix_of({**BASE, "p": "not-a-number", "m": "x", "SSID": 1, "BSSID": None, "_id": [], "poi": {}})
    assert fix.position == LonLat(lon=102.0484, lat=0.7961)


def test_a_naive_received_at_is_a_programming_error() -> None:
    with pytest.raises(InputError):
        decode_owntracks(json.dumps(BASE), topic=TOPIC, received_at=datetime(2024, 6, 1))  # noqa: DTZ001
