"""Native tracker decoder and its published JSON Schema agree, and the decoder applies the schema's rules."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracking.decoders._common import DEVICE_ID_RE
from tracking.decoders.native import (
    EPOCH_MAX_S,
    EPOCH_MIN_S,
    ISO_TIME_PATTERN,
    NUMBER_RANGES,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    decode_native,
)
from tracking.fix import Decoded, DecodeResult, FixSource, Rejected
from tracking.schemas import native_fix_schema

RECEIVED_AT = datetime(2024, 6, 1, 0, 1, tzinfo=UTC)
BASE: dict[str, Any] = {"v": 1, "id": "TRK-001", "t": 1717200000, "lat": 0.7712, "lon": 102.0501}
SCHEMA = native_fix_schema()


def decode(obj: Any) -> DecodeResult:
    return decode_native(json.dumps(obj), received_at=RECEIVED_AT)


def test_schema_is_draft_2020_12_and_closed() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["additionalProperties"] is False


@pytest.mark.parametrize("example", SCHEMA["examples"], ids=lambda e: json.dumps(e)[:60])
def test_every_valid_schema_example_decodes(example: dict[str, Any]) -> None:
    result = decode(example)
    assert isinstance(result, Decoded), result
    fix = result.fix
    assert fix.source == FixSource.NATIVE
    assert fix.device_id == example["id"]
    assert (fix.position.lon, fix.position.lat) == (example["lon"], example["lat"])
    assert fix.speed_kph == example.get("spd")
    assert fix.battery_pct == example.get("bat")
    assert fix.charging == example.get("chg")


@pytest.mark.parametrize("case", SCHEMA["x-invalid-examples"], ids=lambda c: c["reason"])
def test_every_documented_invalid_example_is_rejected_with_its_reason(case: dict[str, Any]) -> None:
    result = decode(case["payload"])
    assert isinstance(result, Rejected), result
    assert result.reason == case["reason"]


def test_schema_and_decoder_name_the_same_fields() -> None:
    assert set(SCHEMA["required"]) == set(REQUIRED_FIELDS)
    assert set(SCHEMA["properties"]) == set(REQUIRED_FIELDS) | set(OPTIONAL_FIELDS)


def test_schema_and_decoder_use_the_same_numeric_ranges() -> None:
    for name, (low, high) in NUMBER_RANGES.items():
        prop = SCHEMA["properties"][name]
        assert prop["type"] == "number", name
        assert (prop["minimum"], prop["maximum"]) == (low, high), name


def test_schema_and_decoder_use_the_same_time_and_id_rules() -> None:
    epoch, iso = SCHEMA["properties"]["t"]["oneOf"]
    assert (epoch["minimum"], epoch["exclusiveMaximum"]) == (EPOCH_MIN_S, EPOCH_MAX_S)
    assert iso["pattern"] == ISO_TIME_PATTERN
    assert SCHEMA["properties"]["id"]["pattern"] == f"^{DEVICE_ID_RE.pattern}$"
    assert SCHEMA["properties"]["v"] == {"description": SCHEMA["properties"]["v"]["description"], "const": 1}


@pytest.mark.parametrize("name", sorted(NUMBER_RANGES))
def test_schema_bounds_are_inclusive_and_one_step_beyond_is_rejected(name: str) -> None:
    prop = SCHEMA["properties"][name]
    for edge in (prop["minimum"], prop["maximum"]):
        assert isinstance(decode({**BASE, name: edge}), Decoded), (name, edge)
    below = math.nextafter(float(prop["minimum"]), -math.inf)
    above = math.nextafter(float(prop["maximum"]), math.inf)
    for outside in (below, above):
        result = decode({**BASE, name: outside})
        assert isinstance(result, Rejected), (name, outside)
        assert result.reason == f"out_of_range:{name}", (name, outside)


@given(st.floats(min_value=EPOCH_MIN_S, max_value=EPOCH_MAX_S, exclude_max=True))
def test_any_epoch_inside_the_schema_window_decodes_to_that_instant(seconds: float) -> None:
    result = decode({**BASE, "t": seconds})
    assert isinstance(result, Decoded)
    assert abs(result.fix.fix_time.timestamp() - seconds) < 1e-3


def test_epoch_milliseconds_are_refused_not_misread_as_a_far_future() -> None:
    result = decode({**BASE, "t": 1717200000000})
    assert isinstance(result, Rejected)
    assert result.reason == "out_of_range:t"


def test_iso_time_with_offset_is_converted_to_utc() -> None:
    result = decode({**BASE, "t": "2024-06-01T07:00:00+07:00"})
    assert isinstance(result, Decoded)
    assert result.fix.fix_time == datetime(2024, 6, 1, tzinfo=UTC)


def test_version_one_written_as_a_float_is_still_version_one() -> None:
    # JSON Schema treats 1.0 as equal to the const 1; so does the decoder.
    assert isinstance(decode({**BASE, "v": 1.0}), Decoded)


@pytest.mark.parametrize(
    ("field", "reason"), [("v", "bad_type:v"), ("spd", "bad_type:spd"), ("lat", "bad_type:lat")]
)
def test_null_is_a_wrong_type_not_an_absent_field(field: str, reason: str) -> None:
    result = decode({**BASE, field: None})
    assert isinstance(result, Rejected)
    assert result.reason == reason


def test_true_is_not_version_one() -> None:
    result = decode({**BASE, "v": True})
    assert isinstance(result, Rejected)
    assert result.reason == "bad_type:v"


def test_the_transport_can_pin_the_device_identity() -> None:
    ok = decode_native(json.dumps(BASE), received_at=RECEIVED_AT, expected_device_id="TRK-001")
    assert isinstance(ok, Decoded)
    spoofed = decode_native(json.dumps(BASE), received_at=RECEIVED_AT, expected_device_id="TRK-002")
    assert isinstance(spoofed, Rejected)
    assert spoofed.reason == "device_id_mismatch"
