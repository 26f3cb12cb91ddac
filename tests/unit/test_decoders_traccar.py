"""Traccar Client / OsmAnd decoder: units, timestamp forms, aliases, and the Traccar Client 9 JSON body."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from dispatch_geo.domain.values import LonLat
from tracking.decoders.traccar import (
    KNOT_KPH,
    MAX_PARAMS,
    decode_traccar_json,
    decode_traccar_params,
    decode_traccar_query,
)
from tracking.fix import Decoded, DecodeResult, FixSource, PositionFix, Rejected

RECEIVED_AT = datetime(2024, 6, 1, 0, 1, tzinfo=UTC)
QUERY = "id=352099001761481&timestamp=1717200000&lat=0.7712&lon=102.0501"
BODY: dict[str, Any] = {
    "location": {
        "timestamp": "2024-06-01T00:00:12.862Z",
        "coords": {
            "latitude": 0.7712,
            "longitude": 102.0501,
            "accuracy": 5,
            "speed": 10,
            "heading": 63,
            "altitude": 13.7,
        },
        "battery": {"level": 0.5, "is_charging": True},
    },
    "device_id": "48241179",
}


def query(text: str) -> DecodeResult:
    return decode_traccar_query(text, received_at=RECEIVED_AT)


def fix_of(result: DecodeResult) -> PositionFix:
    assert isinstance(result, Decoded), result
    return result.fix


def reason_of(result: DecodeResult) -> str:
    assert isinstance(result, Rejected), result
    return result.reason


def test_minimal_query_gives_a_fix() -> None:
    fix = fix_of(query(QUERY))
    assert fix.device_id == "352099001761481"
    assert fix.position == LonLat(lon=102.0501, lat=0.7712)
    assert fix.fix_time == datetime(2024, 6, 1, tzinfo=UTC)
    assert fix.source == FixSource.TRACCAR


def test_speed_arrives_in_knots_and_is_stored_in_kilometres_per_hour() -> None:
    fix = fix_of(query(QUERY + "&speed=10"))
    assert fix.speed_kph is not None
    assert math.isclose(fix.speed_kph, 18.52)
    assert KNOT_KPH == 1.852


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("1717200000", datetime(2024, 6, 1, tzinfo=UTC)),
        ("1717200000579", datetime(2024, 6, 1, 0, 0, 0, 579000, tzinfo=UTC)),
        ("2024-06-01T07:00:00%2B07:00", datetime(2024, 6, 1, tzinfo=UTC)),
        ("2024-06-01T00:00:00Z", datetime(2024, 6, 1, tzinfo=UTC)),
        ("2024-06-01+00%3A00%3A00", datetime(2024, 6, 1, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_timestamp_forms(stamp: str, expected: datetime) -> None:
    fix = fix_of(query(f"id=1&lat=0.77&lon=102.05&timestamp={stamp}"))
    assert fix.fix_time == expected


def test_seconds_and_milliseconds_split_at_traccars_threshold() -> None:
    just_below = fix_of(query(f"id=1&lat=0.77&lon=102.05&timestamp={2**31 - 2}"))
    assert just_below.fix_time.year == 2038
    at_threshold = fix_of(query(f"id=1&lat=0.77&lon=102.05&timestamp={2**31 - 1}"))
    assert at_threshold.fix_time.year == 1970  # read as milliseconds; the filters refuse such a date


def test_aliases_deviceid_heading_and_location() -> None:
    fix = fix_of(query("deviceid=amb-1&timestamp=1717200000&location=0.7712,102.0501&heading=90"))
    assert fix.device_id == "amb-1"
    assert fix.position == LonLat(lon=102.0501, lat=0.7712)
    assert fix.course_deg == 90


def test_leading_path_and_question_mark_are_allowed() -> None:
    assert fix_of(query("/?" + QUERY)).device_id == "352099001761481"
    assert fix_of(query("http://example.invalid:5055/?" + QUERY)).device_id == "352099001761481"


def test_parsed_parameters_may_carry_repeated_identical_values() -> None:
    params = {
        "id": ["amb-1", "amb-1"],
        "timestamp": "1717200000",
        "lat": "0.77",
        "lon": "102.05",
        "batt": "51",
    }
    fix = fix_of(decode_traccar_params(params, received_at=RECEIVED_AT))
    assert (fix.device_id, fix.battery_pct) == ("amb-1", 51)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("timestamp=1717200000&lat=0.77&lon=102.05", "missing_field:id"),
        ("id=&timestamp=1717200000&lat=0.77&lon=102.05", "missing_field:id"),
        ("id=1&lat=0.77&lon=102.05", "missing_field:timestamp"),
        ("id=1&timestamp=1717200000&lon=102.05", "missing_field:lat"),
        ("id=1&timestamp=1717200000&lat=0.77", "missing_field:lon"),
        ("id=1&id=2&timestamp=1717200000&lat=0.77&lon=102.05", "duplicate_field:id"),
        ("id=1&deviceid=2&timestamp=1717200000&lat=0.77&lon=102.05", "duplicate_field:id"),
        ("id=1&timestamp=1717200000&lat=0.77&lat=0.78&lon=102.05", "duplicate_field:lat"),
        ("id=1&timestamp=yesterday&lat=0.77&lon=102.05", "bad_value:timestamp"),
        ("id=1&timestamp=2024-06-01&lat=0.77&lon=102.05", "bad_value:timestamp"),
        ("id=1&timestamp=1717200000.5&lat=0.77&lon=102.05", "bad_value:timestamp"),
        ("id=1&timestamp=1717200000&lat=nan&lon=102.05", "bad_value:lat"),
        ("id=1&timestamp=1717200000&lat=inf&lon=102.05", "bad_value:lat"),
        ("id=1&timestamp=1717200000&lat=0x10&lon=102.05", "bad_value:lat"),
        ("id=1&timestamp=1717200000&lat=1_0&lon=102.05", "bad_value:lat"),
        ("id=1&timestamp=1717200000&lat=%200.77&lon=102.05", "bad_value:lat"),
        ("id=1&timestamp=1717200000&lat=1e999&lon=102.05", "out_of_range:lat"),
        ("id=1&timestamp=1717200000&lat=1e300&lon=102.05", "out_of_range:lat"),
        ("id=1&timestamp=1717200000&lat=91&lon=102.05", "out_of_range:lat"),
        ("id=1&timestamp=1717200000&location=0.77;102.05", "bad_value:location"),
        ("id=1&timestamp=1717200000&lat=0.77&lon=102.05&accuracy=-1", "out_of_range:accuracy"),
        ("id=1&timestamp=1717200000&lat=0.77&lon=102.05&valid=false", "invalid_fix"),
        ("id=1&timestamp=1717200000&lat=0.77&lon=102.05&valid=maybe", "bad_value:valid"),
        ("id=1&timestamp=1717200000&lat=0.77&lon=102.05&charge=yes", "bad_value:charge"),
        ("id=TRK%0A001&timestamp=1717200000&lat=0.77&lon=102.05", "bad_device_id"),
        ("id=%FF&timestamp=1717200000&lat=0.77&lon=102.05", "not_utf8"),
        ("&".join(f"k{i}=1" for i in range(MAX_PARAMS + 1)), "too_many_fields"),
    ],
)
def test_bad_queries_are_rejected_with_a_reason(text: str, reason: str) -> None:
    assert reason_of(query(text)) == reason


def test_negative_speed_and_out_of_range_bearing_or_battery_mean_unknown() -> None:
    fix = fix_of(query(QUERY + "&speed=-1&bearing=-1&batt=250"))
    assert (fix.speed_kph, fix.course_deg, fix.battery_pct) == (None, None, None)


def test_extra_parameters_are_ignored() -> None:
    fix = fix_of(query(QUERY + "&ignition=true&rpm=933&cell=510,10,16,2224&wifi=00-14-22-01-23-45,-80"))
    assert fix.device_id == "352099001761481"


def test_json_body_speed_is_metres_per_second_and_battery_a_fraction() -> None:
    fix = fix_of(decode_traccar_json(json.dumps(BODY), received_at=RECEIVED_AT))
    assert fix.device_id == "48241179"
    assert fix.fix_time == datetime(2024, 6, 1, 0, 0, 12, 862000, tzinfo=UTC)
    assert fix.speed_kph is not None
    assert math.isclose(fix.speed_kph, 36.0)
    assert (fix.course_deg, fix.accuracy_m, fix.altitude_m) == (63, 5, 13.7)
    assert (fix.battery_pct, fix.charging) == (50, True)


def _body_with(**coords: Any) -> str:
    body = json.loads(json.dumps(BODY))
    body["location"]["coords"].update(coords)
    return json.dumps(body)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (json.dumps({"location": BODY["location"]}), "missing_field:device_id"),
        (json.dumps({**BODY, "device_id": 48241179}), "bad_type:device_id"),
        (json.dumps({"device_id": "1"}), "missing_field:location"),
        (json.dumps({"device_id": "1", "location": []}), "bad_type:location"),
        (
            json.dumps({"device_id": "1", "location": {"timestamp": "2024-06-01T00:00:00Z"}}),
            "missing_field:coords",
        ),
        (
            json.dumps({**BODY, "location": {**BODY["location"], "timestamp": 1717200000}}),
            "bad_type:timestamp",
        ),
        (
            json.dumps({**BODY, "location": {**BODY["location"], "timestamp": "2024-06-01T00:00:00"}}),
            "bad_value:timestamp",
        ),
        (_body_with(latitude="0.77"), "bad_type:latitude"),
        (_body_with(longitude=None), "missing_field:longitude"),
        (_body_with(accuracy=-1), "out_of_range:accuracy"),
        (_body_with(speed=True), "bad_type:speed"),
    ],
)
def test_bad_json_bodies_are_rejected_with_a_reason(payload: str, reason: str) -> None:
    assert reason_of(decode_traccar_json(payload, received_at=RECEIVED_AT)) == reason


def test_osmand_clients_may_name_the_battery_battery() -> None:
    """Traccar's own OsmAnd decoder reads ``batt`` or ``battery``: a phone sending either is shown."""
    assert fix_of(query(QUERY + "&battery=14")).battery_pct == 14
    assert fix_of(query(QUERY + "&batt=14&battery=14")).battery_pct == 14
