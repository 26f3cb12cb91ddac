"""Load the home posts and the initial fleet from one CSV file.

Format
------
UTF-8 CSV with a header row, one row per **unit**; the unit's home post is described on the same row
and repeated for every unit of that post (so the file can be edited in any spreadsheet). Columns, in
any order (extra columns are ignored):

``call_sign``
    Unit id, upper-case letters/digits in dash-separated groups, e.g. ``AMB-SIAK-01``, ``DMK-TLG-01``.
``unit_type``
    One of :class:`~dispatch_geo.domain.units.UnitType` (``ambulance``, ``fire_engine``...).
``agency``
    Owning agency (:class:`~dispatch_geo.domain.units.Agency`); blank means the type's default.
``station_id``
    Home post id: lower-case letters/digits in dash-separated groups, e.g. ``damkar-siak``.
``station_name``, ``station_agency``
    Post name and the agency running it.
``lon``, ``lat``
    Post position, WGS84 decimal degrees.
``approximate``
    ``true``/``false`` (also ``yes``/``no``, ``1``/``0``): whether the position is a stand-in.
``note``
    Free text about the post (where an approximate position came from).
``device_id`` (optional)
    The unit's tracking device: its login, or ``login/device`` for one OwnTracks app (lower case);
    blank for none. Import pairs it with a new unit, or with an existing unit that has none; the
    credential is then issued with ``dispatch-geo devices rotate`` or the set-up sheet.

Every row is checked and every problem is collected with its line number (the header is line 1); one
:class:`~dispatch_geo.errors.InputError` lists them all. The post columns of a repeated ``station_id``
must agree with its first row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dispatch_geo.domain import csv_table
from dispatch_geo.domain.units import AGENCIES_FOR_TYPE, Agency, Station, Unit, UnitType, default_agency
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError

COLUMNS = (
    "call_sign",
    "unit_type",
    "agency",
    "station_id",
    "station_name",
    "station_agency",
    "lon",
    "lat",
    "approximate",
    "note",
)
"""Columns the fleet CSV must have."""
DEVICE_COLUMN = "device_id"
"""Optional column: the unit's tracking device (its login, or ``login/device`` for one OwnTracks app)."""
DEVICE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?$")

CALL_SIGN_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
STATION_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 32
_E = TypeVar("_E", UnitType, Agency)


@dataclass(frozen=True, slots=True)
class Fleet:
    """Stations and units read from a fleet file, in file order."""

    stations: tuple[Station, ...]
    units: tuple[Unit, ...]
    devices: Mapping[str, str] = field(default_factory=dict)
    """``{call sign: device id}`` from the optional ``device_id`` column."""

    def station(self, station_id: str) -> Station:
        """The station with ``station_id``; :class:`KeyError` if absent."""
        for station in self.stations:
            if station.id == station_id:
                return station
        raise KeyError(station_id)


def load_fleet_csv(path: str | Path) -> Fleet:
    """Read and validate the fleet CSV at ``path`` (see the module docstring for the format)."""
    return parse_fleet_csv(csv_table.read_text(path, "fleet"), source=str(path))


def parse_fleet_csv(text: str, *, source: str = "<fleet csv>") -> Fleet:
    """Parse and validate fleet CSV ``text``; ``source`` names it in error messages."""
    problems: list[str] = []
    stations: dict[str, tuple[int, Station]] = {}
    units: list[Unit] = []
    call_sign_lines: dict[str, int] = {}
    devices: dict[str, str] = {}
    device_lines: dict[str, int] = {}
    table = csv_table.rows(
        text, source=source, required=COLUMNS, optional=(DEVICE_COLUMN,), problems=problems
    )
    for line, row in table:
        row_problems: list[str] = []
        station = _parse_station(row, row_problems)
        unit = _parse_unit(row, row_problems)
        if station is not None:
            first = stations.get(station.id)
            if first is None:
                stations[station.id] = (line, station)
            elif first[1] != station:
                row_problems.append(
                    f"station {station.id!r} is described differently than on line {first[0]} "
                    "(name, agency, lon, lat, approximate and note must match)"
                )
        if unit is not None:
            if unit.id in call_sign_lines:
                row_problems.append(
                    f"call sign {unit.id!r} is already used on line {call_sign_lines[unit.id]}"
                )
            else:
                call_sign_lines[unit.id] = line
        device = row.get(DEVICE_COLUMN, "")
        if device:
            if not DEVICE_ID_PATTERN.match(device) or len(device) > MAX_ID_LENGTH:
                row_problems.append(
                    f"device_id {device!r} is invalid; expected a lower-case login (letters, digits, "
                    f"'.', '_', '-'), optionally /device, at most {MAX_ID_LENGTH} characters "
                    "(e.g. amb-siak-01/phone)"
                )
            elif device.split("/", 1)[0] in device_lines:
                row_problems.append(
                    f"device {device!r} is already used on line {device_lines[device.split('/', 1)[0]]}"
                )
            else:
                device_lines[device.split("/", 1)[0]] = line
        problems.extend(f"line {line}: {problem}" for problem in row_problems)
        if unit is not None and not row_problems:
            units.append(unit)
            if device:
                devices[unit.id] = device
    if not problems and not units:
        problems.append("no unit rows after the header")
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s) in the fleet file:\n" + "\n".join(problems))
    return Fleet(stations=tuple(s for _, s in stations.values()), units=tuple(units), devices=devices)


def _parse_station(row: dict[str, str], problems: list[str]) -> Station | None:
    count = len(problems)
    station_id = row["station_id"]
    if not STATION_ID_PATTERN.match(station_id) or len(station_id) > MAX_ID_LENGTH:
        problems.append(
            f"station_id {station_id!r} is invalid; expected lower-case letters/digits in dash-separated "
            f"groups, at most {MAX_ID_LENGTH} characters (e.g. damkar-siak)"
        )
    if not row["station_name"]:
        problems.append("station_name is empty")
    agency = _parse_enum(Agency, "station_agency", row["station_agency"], problems)
    location = _parse_location(row["lon"], row["lat"], problems)
    approximate = csv_table.parse_bool("approximate", row["approximate"], problems)
    if len(problems) > count or agency is None or location is None or approximate is None:
        return None
    return Station(
        id=station_id,
        name=row["station_name"],
        agency=agency,
        location=location,
        approximate=approximate,
        note=row["note"],
    )


def _parse_unit(row: dict[str, str], problems: list[str]) -> Unit | None:
    count = len(problems)
    call_sign = row["call_sign"]
    if not CALL_SIGN_PATTERN.match(call_sign) or len(call_sign) > MAX_ID_LENGTH:
        problems.append(
            f"call_sign {call_sign!r} is invalid; expected upper-case letters/digits in dash-separated "
            f"groups, at most {MAX_ID_LENGTH} characters (e.g. AMB-SIAK-01)"
        )
    unit_type = _parse_enum(UnitType, "unit_type", row["unit_type"], problems)
    agency: Agency | None = None
    if row["agency"]:
        agency = _parse_enum(Agency, "agency", row["agency"], problems)
    elif unit_type is not None:
        agency = default_agency(unit_type)
    if unit_type is not None and agency is not None and agency not in AGENCIES_FOR_TYPE[unit_type]:
        allowed = ", ".join(sorted(AGENCIES_FOR_TYPE[unit_type]))
        problems.append(f"agency {agency} cannot operate a {unit_type}; expected one of {allowed}")
    if len(problems) > count or unit_type is None or agency is None:
        return None
    return Unit(id=call_sign, unit_type=unit_type, agency=agency, station_id=row["station_id"])


def _parse_enum(enum_cls: type[_E], column: str, value: str, problems: list[str]) -> _E | None:
    try:
        return enum_cls(value.lower())
    except ValueError:
        expected = ", ".join(member.value for member in enum_cls)
        problems.append(f"{column} {value!r} is unknown; expected one of {expected}")
        return None


def _parse_location(lon_text: str, lat_text: str, problems: list[str]) -> LonLat | None:
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        problems.append(f"lon {lon_text!r} / lat {lat_text!r} must be decimal degrees (e.g. 102.05, 0.80)")
        return None
    try:
        return LonLat(lon, lat)
    except InputError as exc:
        problems.append(str(exc))
        return None
