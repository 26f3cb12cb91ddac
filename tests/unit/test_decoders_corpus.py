"""Every captured payload in tests/data/payloads decodes to what tests/data/payloads/index.json says."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tracking.decoders import decode_native, decode_owntracks, decode_traccar_json, decode_traccar_query
from tracking.fix import Decoded, DecodeResult, Ignored, Rejected

CORPUS = Path(__file__).resolve().parents[1] / "data" / "payloads"
RECEIVED_AT = datetime(2024, 6, 1, 1, 5, tzinfo=UTC)


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))["cases"]
    return cases


def decode_case(case: dict[str, Any], raw: bytes) -> DecodeResult:
    decoder = case["decoder"]
    if decoder == "owntracks":
        return decode_owntracks(raw, topic=case["topic"], received_at=RECEIVED_AT)
    if decoder == "native":
        return decode_native(raw, received_at=RECEIVED_AT)
    if decoder == "traccar_query":
        return decode_traccar_query(raw, received_at=RECEIVED_AT)
    if decoder == "traccar_json":
        return decode_traccar_json(raw, received_at=RECEIVED_AT)
    raise AssertionError(f"unknown decoder {decoder!r} in index.json")


def _expected_value(name: str, value: Any) -> Any:
    if name in {"fix_time", "created_at"} and value is not None:
        return datetime.fromisoformat(value)
    if name == "regions":
        return tuple(value)
    return value


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["file"])
def test_captured_payload_decodes_as_indexed(case: dict[str, Any]) -> None:
    result = decode_case(case, (CORPUS / case["file"]).read_bytes())
    if case["expect"] == "fix":
        assert isinstance(result, Decoded), result
        fix = result.fix
        assert fix.received_at == RECEIVED_AT
        for name, expected in case["fix"].items():
            if name in {"lon", "lat"}:
                actual: Any = getattr(fix.position, name)
            else:
                actual = getattr(fix, name)
            expected = _expected_value(name, expected)
            if isinstance(expected, float | int) and not isinstance(expected, bool) and actual is not None:
                assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), (name, actual, expected)
            else:
                assert actual == expected, (name, actual, expected)
    elif case["expect"] == "ignored":
        assert result == Ignored(kind=case["kind"], device_id=case["device_id"])
    else:
        assert isinstance(result, Rejected), result
        assert result.reason == case["reason"]


def test_every_payload_file_is_indexed() -> None:
    indexed = {case["file"] for case in _cases()}
    on_disk = {
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name not in {"index.json", "README.md"}
    }
    assert on_disk == indexed


def test_captured_fix_times_are_gps_times_not_receive_times() -> None:
    # The Android message was built 7 s after its fix; the HTTP one was queued offline for ~10 minutes.
    for case in _cases():
        if case["expect"] == "fix" and "created_at" in case["fix"]:
            result = decode_case(case, (CORPUS / case["file"]).read_bytes())
            assert isinstance(result, Decoded)
            assert result.fix.created_at is not None
            assert result.fix.fix_time < result.fix.created_at < result.fix.received_at
