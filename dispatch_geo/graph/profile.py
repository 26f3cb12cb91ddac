"""Speed profile: OSM tags → ``speed_kph`` per edge.

The profile lives in an editable TOML file (``speed_profile.toml`` beside this module is the Siak
default). Rules, in order:

1. a tagged ``maxspeed`` (``"50"``, ``"50 km/h"``, ``"30 mph"``, ``"ID:urban"``, lists such as
   ``"60;40"``) times ``maxspeed.factor``;
2. otherwise the highway class speed (``*_link`` ramps at ``links.factor`` of their class);
3. then capped by the surface (``surface_cap_kph``).

Where simplification merged several OSM ways into one edge, tags arrive as lists; the slowest value
wins, so ETAs err on the safe side.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dispatch_geo.errors import InputError

DEFAULT_PROFILE_PATH = Path(__file__).with_name("speed_profile.toml")

MPH_TO_KPH = 1.609344
KNOT_TO_KPH = 1.852

_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds in km/h by highway class with surface caps; see the module docstring for the rules."""

    name: str
    highway_kph: Mapping[str, float]
    surface_cap_kph: Mapping[str, float] = field(default_factory=dict)
    link_factor: float = 0.7
    maxspeed_factor: float = 0.9
    implicit_kph: Mapping[str, float] = field(default_factory=dict)
    fallback_kph: float = 20.0

    def __post_init__(self) -> None:
        problems: list[str] = []
        for table_name, table in (
            ("highway_kph", self.highway_kph),
            ("surface_cap_kph", self.surface_cap_kph),
            ("maxspeed.implicit_kph", self.implicit_kph),
        ):
            for key, value in table.items():
                if not _positive(value):
                    problems.append(f"{table_name}.{key} = {value!r} must be a positive number of km/h")
        if not self.highway_kph:
            problems.append("highway_kph is empty; expected speeds for classes such as 'primary'")
        for name, value in (
            ("links.factor", self.link_factor),
            ("maxspeed.factor", self.maxspeed_factor),
            ("fallback.kph", self.fallback_kph),
        ):
            if not _positive(value):
                problems.append(f"{name} = {value!r} must be a positive number")
        if problems:
            raise InputError(f"speed profile {self.name!r} is invalid: " + "; ".join(problems))

    @property
    def hash(self) -> str:
        """A short stable hash of every value, stored in the graph metadata."""
        payload = json.dumps(
            {
                "highway_kph": dict(sorted(self.highway_kph.items())),
                "surface_cap_kph": dict(sorted(self.surface_cap_kph.items())),
                "link_factor": self.link_factor,
                "maxspeed_factor": self.maxspeed_factor,
                "implicit_kph": dict(sorted(self.implicit_kph.items())),
                "fallback_kph": self.fallback_kph,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def class_speed_kph(self, highway: str) -> float:
        """Speed of a highway class without maxspeed or surface information."""
        if highway in self.highway_kph:
            return float(self.highway_kph[highway])
        if highway.endswith("_link") and highway[: -len("_link")] in self.highway_kph:
            return float(self.highway_kph[highway[: -len("_link")]]) * self.link_factor
        return self.fallback_kph

    def edge_speed_kph(self, highway: Any, maxspeed: Any = None, surface: Any = None) -> float:
        """Speed of one edge from its (possibly list-valued) ``highway``, ``maxspeed`` and ``surface``."""
        tagged = [
            kph
            for value in _as_list(maxspeed)
            if (kph := parse_maxspeed_kph(value, self.implicit_kph)) is not None
        ]
        if tagged:
            speed = min(tagged) * self.maxspeed_factor
        else:
            classes = [h for h in _as_list(highway) if h]
            speed = min((self.class_speed_kph(h) for h in classes), default=self.fallback_kph)
        caps = [self.surface_cap_kph[s] for s in _as_list(surface) if s in self.surface_cap_kph]
        if caps:
            speed = min(speed, min(caps))
        return float(speed)


def load_profile(path: Path | None = None) -> SpeedProfile:
    """Read a speed profile TOML file (the Siak default when ``path`` is None)."""
    path = path or DEFAULT_PROFILE_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"speed profile {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"speed profile {path} is not valid TOML: {exc}") from None
    try:
        return SpeedProfile(
            name=str(data.get("name", path.stem)),
            highway_kph=dict(data["highway_kph"]),
            surface_cap_kph=dict(data.get("surface_cap_kph", {})),
            link_factor=data.get("links", {}).get("factor", 0.7),
            maxspeed_factor=data.get("maxspeed", {}).get("factor", 0.9),
            implicit_kph=dict(data.get("maxspeed", {}).get("implicit_kph", {})),
            fallback_kph=data.get("fallback", {}).get("kph", 20.0),
        )
    except KeyError as exc:
        raise InputError(f"speed profile {path} lacks the table {exc.args[0]!r}") from None


def parse_maxspeed_kph(value: Any, implicit_kph: Mapping[str, float] | None = None) -> float | None:
    """Parse one OSM ``maxspeed`` value to km/h, or None when it carries no usable number.

    Accepts ``"50"``, ``"50 km/h"``, ``"30 mph"``, ``"10 knots"``, ``"60;40"`` (the lowest),
    implicit zones such as ``"ID:urban"`` when ``implicit_kph`` knows them. ``"none"``, ``"signals"``,
    ``"walk"`` and unknown zones give None so the class speed applies.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if _positive(value) else None
    text = str(value).strip()
    if not text:
        return None
    if ";" in text or "|" in text:
        parts = [parse_maxspeed_kph(p, implicit_kph) for p in re.split(r"[;|]", text)]
        numbers = [p for p in parts if p is not None]
        return min(numbers) if numbers else None
    if implicit_kph and text in implicit_kph:
        return float(implicit_kph[text])
    match = _NUMBER_UNIT.match(text)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "km/h").lower()
    if unit == "mph":
        number *= MPH_TO_KPH
    elif unit == "knots":
        number *= KNOT_TO_KPH
    return number if _positive(number) else None


def _as_list(value: Any) -> Iterable[Any]:
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, list | tuple | set):
        return list(value)
    return [value]


def _positive(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )
