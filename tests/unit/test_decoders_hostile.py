"""Hostile payloads: every one is rejected with a reason code, and no input makes a decoder raise."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracking.decoders import (
    decode_native,
    decode_owntracks,
    decode_traccar_json,
    decode_traccar_params,
    decode_traccar_query,
)
from tracking.fix import MAX_PAYLOAD_BYTES, Decoded, DecodeResult, Ignored, Rejected

RECEIVED_AT = datetime(2024, 6, 1, 0, 1, tzinfo=UTC)
TOPIC = "owntracks/damkar/unit01"
LOCATION = '{"_type":"location","lat":0.7961,"lon":102.0484,"tst":1717200000}'

Decoder = Callable[[bytes | str], DecodeResult]
DECODERS: dict[str, Decoder] = {
    "owntracks": lambda p: decode_owntracks(p, topic=TOPIC, received_at=RECEIVED_AT),
    "owntracks_http": lambda p: decode_owntracks(p, topic=None, received_at=RECEIVED_AT),
    "native": lambda p: decode_native(p, received_at=RECEIVED_AT),
    "traccar_json": lambda p: decode_traccar_json(p, received_at=RECEIVED_AT),
    "traccar_query": lambda p: decode_traccar_query(p, received_at=RECEIVED_AT),
}
JSON_DECODERS = ("owntracks", "owntracks_http", "native", "traccar_json")

# (payload, reason) pairs that every JSON decoder must reject for the same reason.
COMMON_HOSTILE: list[tuple[str, bytes | str, str]] = [
    ("empty", b"", "invalid_json"),
    ("whitespace", b" \n\t ", "invalid_json"),
    ("truncated", LOCATION[:40].encode(), "invalid_json"),
    ("trailing_garbage", (LOCATION + "}").encode(), "invalid_json"),
    ("single_quotes", LOCATION.replace('"', "'").encode(), "invalid_json"),
    ("utf8_bom", b"\xef\xbb\xbf" + LOCATION.encode(), "invalid_json"),
    ("deep_arrays", b"[" * 60_000, "invalid_json"),
    ("deep_objects", b'{"a":' * 12_000, "invalid_json"),
    ("5000_digit_integer", b'{"lat":' + b"9" * 5000 + b"}", "invalid_json"),
    ("array", b"[1,2,3]", "not_object"),
    ("string", b'"location"', "not_object"),
    ("null", b"null", "not_object"),
    ("number", b"42", "not_object"),
    ("binary_all_bytes", bytes(range(256)), "not_utf8"),
    ("gzip_magic", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xf3\x48\xcd\xc9\xc9\x07\x00", "not_utf8"),
    ("utf16", LOCATION.encode("utf-16"), "not_utf8"),
    ("overlong_utf8", b'{"_type":"\xc0\xaflocation"}', "not_utf8"),
    ("lone_surrogate_str", '{"_type":"location\ud800"}', "not_utf8"),
    ("huge_bytes", b'{"pad":"' + b"x" * MAX_PAYLOAD_BYTES + b'"}', "too_large"),
    ("huge_str", '{"pad":"' + "x" * MAX_PAYLOAD_BYTES + '"}', "too_large"),
    ("huge_multibyte_str", '{"pad":"' + "\U0001f691" * (MAX_PAYLOAD_BYTES // 4 + 1) + '"}', "too_large"),
    ("nan_literal", b'{"lat":NaN}', "non_finite_number"),
    ("infinity_literal", b'{"lat":-Infinity}', "non_finite_number"),
    ("overflowing_float", b'{"lat":1e400}', "non_finite_number"),
    ("duplicate_key", b'{"a":1,"a":2}', "duplicate_key"),
]


@pytest.mark.parametrize("decoder", JSON_DECODERS)
@pytest.mark.parametrize(("name", "payload", "reason"), COMMON_HOSTILE, ids=[c[0] for c in COMMON_HOSTILE])
def test_hostile_payloads_are_rejected_with_a_reason(
    decoder: str, name: str, payload: bytes | str, reason: str
) -> None:
    result = DECODERS[decoder](payload)
    assert isinstance(result, Rejected), (name, result)
    assert result.reason == reason


def _loc(**fields: Any) -> str:
    obj: dict[str, Any] = {"_type": "location", "lat": 0.7961, "lon": 102.0484, "tst": 1717200000}
    obj.update(fields)
    return json.dumps(obj)


PROTOCOL_HOSTILE: list[tuple[str, str, bytes | str, str]] = [
    ("owntracks", "wrong_type", _loc(_type="Location"), "unknown_type"),
    ("owntracks", "type_injection", _loc(_type="location\u0000"), "bad_value:_type"),
    ("owntracks", "lat_object", _loc(lat={"$gt": 0}), "bad_type:lat"),
    ("owntracks", "lat_list", _loc(lat=[0.79]), "bad_type:lat"),
    ("owntracks", "lat_bool", _loc(lat=False), "bad_type:lat"),
    ("owntracks", "lat_string", _loc(lat="0.79"), "bad_type:lat"),
    ("owntracks", "lat_extreme", _loc(lat=1e308), "out_of_range:lat"),
    ("owntracks", "lon_extreme", _loc(lon=-1e308), "out_of_range:lon"),
    ("owntracks", "lon_huge_int", _loc(lon=10**400), "out_of_range:lon"),
    ("owntracks", "tst_float_huge", _loc(tst=1e300), "out_of_range:tst"),
    ("owntracks", "tst_null", _loc(tst=None), "missing_field:tst"),
    ("owntracks", "tid_control_chars", _loc(tid="\u001b[31mXX"), "bad_value:tid"),
    ("owntracks", "tid_bidi_override", _loc(tid="\u202eXX"), "bad_value:tid"),
    ("owntracks", "region_flood", _loc(inregions=["r"] * 1000), "bad_value:inregions"),
    ("owntracks_http", "unicode_topic", _loc(topic="owntracks/dаmkar/unit01"), "bad_device_id"),
    ("owntracks_http", "wildcard_topic", _loc(topic="owntracks/#/unit01"), "bad_device_id"),
    ("owntracks_http", "topic_not_string", _loc(topic=["owntracks", "a", "b"]), "bad_type:topic"),
    ("owntracks_http", "no_topic", _loc(), "missing_field:topic"),
    ("native", "unicode_id", '{"v":1,"id":"ТRK-001","t":1717200000,"lat":0.7,"lon":102.0}', "bad_device_id"),
    ("native", "emoji_id", '{"v":1,"id":"\U0001f691","t":1717200000,"lat":0.7,"lon":102.0}', "bad_device_id"),
    (
        "native",
        "long_id",
        '{"v":1,"id":"%s","t":1717200000,"lat":0.7,"lon":102.0}' % ("A" * 65),
        "bad_device_id",
    ),
    ("native", "missing_lat", '{"v":1,"id":"TRK-001","t":1717200000,"lon":102.0}', "missing_field:lat"),
    (
        "native",
        "extreme_lat",
        '{"v":1,"id":"TRK-001","t":1717200000,"lat":-1e308,"lon":102.0}',
        "out_of_range:lat",
    ),
    (
        "native",
        "wrong_version",
        '{"v":"1","id":"TRK-001","t":1717200000,"lat":0.7,"lon":102.0}',
        "bad_type:v",
    ),
    ("traccar_json", "unicode_id", '{"device_id":"амб","location":{}}', "bad_device_id"),
    ("traccar_json", "coords_list", '{"device_id":"1","location":{"coords":[0,0]}}', "bad_type:coords"),
    (
        "traccar_query",
        "unicode_id",
        "id=%D0%B0%D0%BC%D0%B1&timestamp=1717200000&lat=0.7&lon=102",
        "bad_device_id",
    ),
    ("traccar_query", "binary", bytes(range(256)), "not_utf8"),
    ("traccar_query", "huge", "id=1&pad=" + "x" * MAX_PAYLOAD_BYTES, "too_large"),
    (
        "traccar_query",
        "overlong_value",
        "id=1&timestamp=1717200000&lat=" + "1" * 300 + "&lon=102",
        "bad_value:lat",
    ),
    ("traccar_query", "empty", "", "missing_field:id"),
]


@pytest.mark.parametrize(
    ("decoder", "name", "payload", "reason"),
    PROTOCOL_HOSTILE,
    ids=[f"{c[0]}-{c[1]}" for c in PROTOCOL_HOSTILE],
)
def test_protocol_specific_hostile_payloads_are_rejected(
    decoder: str, name: str, payload: bytes | str, reason: str
) -> None:
    result = DECODERS[decoder](payload)
    assert isinstance(result, Rejected), (name, result)
    assert result.reason == reason


def _assert_sane(result: DecodeResult) -> None:
    assert isinstance(result, Decoded | Ignored | Rejected)
    if isinstance(result, Decoded):
        fix = result.fix
        assert math.isfinite(fix.position.lat)
        assert abs(fix.position.lat) <= 90
        assert math.isfinite(fix.position.lon)
        assert abs(fix.position.lon) <= 180
        assert fix.fix_time.utcoffset() is not None
    if isinstance(result, Rejected):
        assert result.reason
        assert result.reason.isascii()
        assert len(result.reason) < 40


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(payload: bytes) -> None:
    for decode in DECODERS.values():
        _assert_sane(decode(payload))


@settings(max_examples=200)
@given(st.text(max_size=512), st.text(max_size=80))
def test_arbitrary_text_and_topics_never_raise(payload: str, topic: str) -> None:
    for decode in DECODERS.values():
        _assert_sane(decode(payload))
    _assert_sane(decode_owntracks(payload, topic=topic, received_at=RECEIVED_AT))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
OWNTRACKS_KEYS = [
    "_type",
    "lat",
    "lon",
    "tst",
    "acc",
    "alt",
    "vac",
    "vacc",
    "vel",
    "cog",
    "batt",
    "bs",
    "tid",
    "t",
    "conn",
    "created_at",
    "inregions",
    "topic",
]
NATIVE_KEYS = ["v", "id", "t", "lat", "lon", "spd", "crs", "acc", "alt", "bat", "chg"]


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(OWNTRACKS_KEYS), JSON_VALUES, max_size=10), st.booleans())
def test_owntracks_messages_with_any_field_values_never_raise(fields: dict[str, Any], located: bool) -> None:
    obj = ({"_type": "location", "lat": 0.79, "lon": 102.0, "tst": 1717200000} if located else {}) | fields
    payload = json.dumps(obj)
    _assert_sane(decode_owntracks(payload, topic=TOPIC, received_at=RECEIVED_AT))
    _assert_sane(decode_owntracks(payload, topic=None, received_at=RECEIVED_AT))


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(NATIVE_KEYS), JSON_VALUES, max_size=10))
def test_native_messages_with_any_field_values_never_raise(fields: dict[str, Any]) -> None:
    obj = {"v": 1, "id": "TRK-001", "t": 1717200000, "lat": 0.7, "lon": 102.0} | fields
    _assert_sane(decode_native(json.dumps(obj), received_at=RECEIVED_AT))


@settings(max_examples=300)
@given(JSON_VALUES, JSON_VALUES, JSON_VALUES)
def test_traccar_json_bodies_with_any_shape_never_raise(device_id: Any, location: Any, coords: Any) -> None:
    bodies = [
        {"device_id": device_id, "location": location},
        {
            "device_id": "1",
            "location": {"timestamp": "2024-06-01T00:00:00Z", "coords": coords, "battery": location},
        },
    ]
    for body in bodies:
        _assert_sane(decode_traccar_json(json.dumps(body), received_at=RECEIVED_AT))


PARAM_NAMES = st.sampled_from(
    [
        "id",
        "deviceid",
        "timestamp",
        "lat",
        "lon",
        "location",
        "speed",
        "bearing",
        "heading",
        "altitude",
        "accuracy",
        "batt",
        "charge",
        "valid",
        "hdop",
        "x",
    ]
)


@settings(max_examples=300)
@given(
    st.dictionaries(
        PARAM_NAMES, st.text(max_size=30) | st.lists(st.text(max_size=30), max_size=3), max_size=12
    )
)
def test_traccar_parameters_with_any_values_never_raise(params: dict[str, Any]) -> None:
    base = {"id": "1", "timestamp": "1717200000", "lat": "0.7", "lon": "102.0"}
    _assert_sane(decode_traccar_params(base | params, received_at=RECEIVED_AT))
    _assert_sane(decode_traccar_params(params, received_at=RECEIVED_AT))


@pytest.mark.parametrize("value", [5, None, b"1", 1.5, {"a": "b"}])
def test_traccar_parameters_of_the_wrong_python_type_are_rejected(value: Any) -> None:
    params = {"id": value, "timestamp": "1717200000", "lat": "0.7", "lon": "102.0"}
    result = decode_traccar_params(params, received_at=RECEIVED_AT)
    assert isinstance(result, Rejected)
    assert result.reason in {"bad_type:id", "missing_field:id"}


@settings(max_examples=300)
@given(st.floats(), st.floats())
def test_a_fix_is_only_ever_decoded_with_real_coordinates(lat: float, lon: float) -> None:
    payload = f'{{"v":1,"id":"TRK-001","t":1717200000,"lat":{lat!r},"lon":{lon!r}}}'
    result = decode_native(payload.replace("nan", "NaN").replace("inf", "Infinity"), received_at=RECEIVED_AT)
    if abs(lat) > 90 or abs(lon) > 180 or not (math.isfinite(lat) and math.isfinite(lon)):
        assert isinstance(result, Rejected)
    else:
        assert isinstance(result, Decoded)
        assert (result.fix.position.lat, result.fix.position.lon) == (lat, lon)
