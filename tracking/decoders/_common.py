"""Shared, defensive building blocks for the decoders: bounded JSON parsing, typed field access, times.

Every helper signals a bad payload by raising :class:`Reject`, which each public decoder turns into a
:class:`~tracking.fix.Rejected` at its boundary, so the decoders never raise for bad input.

Reason codes are a small closed set (``"invalid_json"``, ``"bad_type:<field>"`` where ``<field>`` is one of
*our* field names, ...). Nothing sent by a device ever becomes part of a reason code, so the codes are safe as
metric labels; device-supplied text goes only into the ``detail``, shortened by :func:`brief`.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any, NoReturn

from tracking.fix import MAX_PAYLOAD_BYTES, Rejected

DEVICE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}")
"""What a device identifier (or each part of an OwnTracks ``user/device``) may look like.

Plain ASCII letters, digits and ``_ . @ : -``, 1-64 characters. Devices of an emergency service are
provisioned by its operators, so this costs nothing, and it keeps look-alike Unicode identifiers (a Cyrillic
``а`` in ``аmb01``), control characters and MQTT wildcards out of logs, topics and the registry.
"""

_ISO_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?", re.ASCII
)

MAX_TEXT_CHARS = 64
"""Longest free-text value (tracker id, trigger, region name...) kept from a device."""


class Reject(Exception):  # noqa: N818 - control flow, never escapes a decoder
    """Raised inside a decoder to abandon a payload; carries the reason code and a detail."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    def as_result(self) -> Rejected:
        """The :class:`Rejected` this stands for."""
        return Rejected(reason=self.reason, detail=self.detail)


class _NonFiniteError(ValueError):
    pass


class _DuplicateKeyError(ValueError):
    pass


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, safe to put in a log line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def payload_text(payload: bytes | bytearray | memoryview | str) -> str:
    """Check the size of a raw payload and decode it as UTF-8 text.

    Raises
    ------
    Reject
        ``"too_large"`` past :data:`~tracking.fix.MAX_PAYLOAD_BYTES`, ``"not_utf8"`` for bytes that are not
        UTF-8 (or a string holding lone surrogates), ``"bad_type:payload"`` for anything else.
    """
    if isinstance(payload, str):
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise Reject("too_large", f"{len(payload)} characters > {MAX_PAYLOAD_BYTES} bytes")
        try:
            size = len(payload.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise Reject("not_utf8", str(exc)) from None
        if size > MAX_PAYLOAD_BYTES:
            raise Reject("too_large", f"{size} bytes > {MAX_PAYLOAD_BYTES}")
        return payload
    if isinstance(payload, bytes | bytearray | memoryview):
        raw = bytes(payload)
        if len(raw) > MAX_PAYLOAD_BYTES:
            raise Reject("too_large", f"{len(raw)} bytes > {MAX_PAYLOAD_BYTES}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Reject("not_utf8", str(exc)) from None
    raise Reject("bad_type:payload", f"payload of type {type(payload).__name__}, expected bytes or str")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFiniteError(text[:40])
    return value


def _refuse_constant(name: str) -> NoReturn:
    raise _NonFiniteError(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


_STRICT_DECODER = json.JSONDecoder(
    parse_float=_finite_float, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys
)
"""Built once: ``json.loads`` with hooks would build a decoder for every message."""


def parse_json_object(payload: bytes | bytearray | memoryview | str) -> dict[str, Any]:
    """Parse a bounded payload that must hold one JSON object.

    Stricter than :func:`json.loads`: ``NaN``/``Infinity`` literals and numbers that overflow to infinity
    (``1e999``) are refused (``"non_finite_number"``), as are objects repeating a key (``"duplicate_key"``,
    which parsers resolve differently and so can smuggle a second value past a check). Nesting too deep for
    the parser is ``"invalid_json"``.
    """
    text = payload_text(payload)
    try:
        if text.startswith("\ufeff"):  # as json.loads: a byte-order mark is not JSON
            raise ValueError("Unexpected UTF-8 BOM (decode using utf-8-sig)")
        value = _STRICT_DECODER.decode(text)
    except _NonFiniteError as exc:
        raise Reject("non_finite_number", f"non-finite number {brief(str(exc))}") from None
    except _DuplicateKeyError as exc:
        raise Reject("duplicate_key", f"key {brief(str(exc))} appears more than once") from None
    except RecursionError:
        raise Reject("invalid_json", "nesting too deep") from None
    except ValueError as exc:  # JSONDecodeError, and int() refusing a 5,000-digit literal
        raise Reject("invalid_json", brief(str(exc), 120)) from None
    if not isinstance(value, dict):
        raise Reject("not_object", f"top-level JSON value is {type(value).__name__}, expected an object")
    return value


def get_number(obj: dict[str, Any], key: str, *, required: bool = False) -> float | None:
    """``obj[key]`` as a finite float; ``None`` when absent and not required.

    JSON numbers only: a boolean (``true`` is an ``int`` in Python) or a numeric string is
    ``"bad_type:<key>"``; an integer too large for a float is ``"out_of_range:<key>"``; ``null`` counts as
    absent.
    """
    value = obj.get(key)
    if value is None:
        if required:
            raise Reject(f"missing_field:{key}", f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Reject(f"bad_type:{key}", f"{key} is {brief(value)}, expected a JSON number")
    try:
        number = float(value)
    except OverflowError:
        raise Reject(f"out_of_range:{key}", f"{key} {brief(value)} is too large") from None
    if not math.isfinite(number):
        raise Reject(f"out_of_range:{key}", f"{key} {brief(value)} is not finite")
    return number


def need_number(obj: dict[str, Any], key: str) -> float:
    """Like :func:`get_number` for a required field: absent or ``null`` is ``"missing_field:<key>"``."""
    number = get_number(obj, key, required=True)
    if number is None:  # pragma: no cover - required=True already refused it
        raise Reject(f"missing_field:{key}", f"{key} is required")
    return number


def get_text(obj: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """``obj[key]`` as a short printable string; ``None`` when absent and not required."""
    value = obj.get(key)
    if value is None:
        if required:
            raise Reject(f"missing_field:{key}", f"{key} is required")
        return None
    if not isinstance(value, str):
        raise Reject(f"bad_type:{key}", f"{key} is {brief(value)}, expected a string")
    return check_text(value, key)


def check_text(value: str, key: str) -> str:
    """Refuse over-long strings and strings holding control or other unprintable characters."""
    if len(value) > MAX_TEXT_CHARS or not value.isprintable():
        raise Reject(f"bad_value:{key}", f"{key} {brief(value)} is too long or not printable")
    return value


def check_device_id(value: str, key: str = "id") -> str:
    """Return ``value`` if it matches :data:`DEVICE_ID_RE`, else reject ``"bad_device_id"``."""
    if not DEVICE_ID_RE.fullmatch(value):
        raise Reject("bad_device_id", f"{key} {brief(value)} must match {DEVICE_ID_RE.pattern}")
    return value


def epoch_to_utc(seconds: float, key: str) -> datetime:
    """Unix seconds to an aware UTC datetime; negative or unrepresentable times are ``out_of_range``."""
    if seconds < 0:
        raise Reject(f"out_of_range:{key}", f"{key} {seconds!r} is before 1970")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise Reject(f"out_of_range:{key}", f"{key} {seconds!r} is not a representable time") from None


def parse_iso8601(text: str, key: str, *, naive_is_utc: bool) -> datetime:
    """Parse an ISO 8601 date and time to UTC.

    Extended format with a time of day (``2024-05-01T08:30:00Z``; a space instead of ``T`` too, as OsmAnd
    sends ``2014-06-04 09:10:11``); with ``Z`` or an offset, or without one only if ``naive_is_utc``.
    """
    if not _ISO_DATETIME_RE.fullmatch(text):
        raise Reject(f"bad_value:{key}", f"{key} {brief(text)} is not an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Reject(f"bad_value:{key}", f"{key} {brief(text)} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        if not naive_is_utc:
            raise Reject(f"bad_value:{key}", f"{key} {brief(text)} has no timezone (add Z or +07:00)")
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Reject(f"out_of_range:{key}", f"{key} {brief(text)} is not a representable time") from None
