"""Facilities: hospitals, puskesmas and the Damkar, police, BPBD and PSC 119 posts, as data.

A facility is a place a unit drives *to* (a hospital for a patient) or is based at; it is not a
station of the fleet (a station owns units), although the fleet's stations seed the first facilities.
Every facility carries where its position came from (``source``) and whether it is a stand-in
(``approximate``), so the console can say so wherever it shows one.

CSV format (``dispatch-geo facilities import FILE.csv``, ``data/siak_facilities_extra.csv``)
---------------------------------------------------------------------------------------------
UTF-8 with a header row; columns ``id, name, kind, lon, lat, approximate, source`` (required) and
``note, active`` (optional; ``active`` defaults to true). Every row is checked and every problem is
collected with its line number (header = line 1); one :class:`~dispatch_geo.errors.InputError` lists
them all, and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dispatch_geo.domain import csv_table
from dispatch_geo.domain.units import Agency, Station
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError

FACILITY_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 32
MAX_NAME_LENGTH = 120
MAX_SOURCE_LENGTH = 500
MAX_NOTE_LENGTH = 2000
REQUIRED_COLUMNS = ("id", "name", "kind", "lon", "lat", "approximate", "source")
OPTIONAL_COLUMNS = ("note", "active")

# Kabupaten Siak and its neighbours (a hospital in Pekanbaru is a real destination): a generous box
# that still refuses swapped or sign-flipped coordinates.
LON_RANGE = (100.0, 104.0)
LAT_RANGE = (-1.0, 2.5)


class FacilityKind(StrEnum):
    """What a facility is."""

    HOSPITAL = "hospital"
    """A hospital (RSUD, RS swasta): where an ambulance takes a patient."""
    PUSKESMAS = "puskesmas"
    """A community health centre (first aid, some with beds)."""
    DAMKAR_POST = "damkar_post"
    """A fire and rescue post (Dinas Pemadam Kebakaran)."""
    POLICE_POST = "police_post"
    """A police command or post (Polres, Polsek)."""
    BPBD_POST = "bpbd_post"
    """A disaster management agency depot."""
    PSC_POST = "psc_post"
    """A Public Safety Center 119 post: an ambulance base, not a place that treats patients."""


TREATS_PATIENTS = frozenset({FacilityKind.HOSPITAL, FacilityKind.PUSKESMAS})
"""Kinds an ambulance may take a patient to."""

KIND_OF_AGENCY = {
    Agency.RSUD: FacilityKind.HOSPITAL,
    Agency.PUSKESMAS: FacilityKind.PUSKESMAS,
    Agency.DAMKAR: FacilityKind.DAMKAR_POST,
    Agency.POLRES: FacilityKind.POLICE_POST,
    Agency.POLSEK: FacilityKind.POLICE_POST,
    Agency.BPBD: FacilityKind.BPBD_POST,
    # PSC 119 runs ambulances but treats nobody: a destination list of hospitals must not offer it
    Agency.PSC_119: FacilityKind.PSC_POST,
}


@dataclass(frozen=True, slots=True)
class Facility:
    """One facility (see the module docstring)."""

    id: str
    name: str
    kind: FacilityKind
    location: LonLat
    approximate: bool
    source: str
    note: str = ""
    active: bool = True


def facility_from_station(station: Station) -> Facility:
    """The facility a fleet station stands for (its kind from the agency that runs it)."""
    return Facility(
        id=station.id,
        name=station.name,
        kind=KIND_OF_AGENCY[Agency(station.agency)],
        location=station.location,
        approximate=station.approximate,
        source="fleet station (data/siak_fleet_example.csv)",
        note=station.note,
    )


def check_facility_id(value: str) -> str | None:
    """A problem with ``value`` as a facility id, or None."""
    if not FACILITY_ID_PATTERN.match(value) or len(value) > MAX_ID_LENGTH:
        return (
            f"id {value!r} is not lower-case letters/digits in dash-separated groups "
            f"of at most {MAX_ID_LENGTH} characters, e.g. rsud-tengku-rafian"
        )
    return None


def check_location(lon: float, lat: float) -> str | None:
    """A problem with the point, or None."""
    if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
        return (
            f"lon={lon}, lat={lat} is outside Siak and its neighbours "
            f"(lon {LON_RANGE[0]}..{LON_RANGE[1]}, lat {LAT_RANGE[0]}..{LAT_RANGE[1]}); swapped?"
        )
    return None


def load_facilities_csv(path: str | Path) -> list[Facility]:
    """Read and validate the facilities CSV at ``path``."""
    return parse_facilities_csv(csv_table.read_text(path, "facilities"), source=str(path))


def parse_facilities_csv(text: str, *, source: str = "<facilities csv>") -> list[Facility]:
    """Parse and validate facilities CSV ``text``: every problem at once, or the facilities."""
    problems: list[str] = []
    facilities: list[Facility] = []
    seen: dict[str, int] = {}
    table = csv_table.rows(
        text,
        source=source,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        problems=problems,
        code="facility_csv_invalid",
    )
    for line, row in table:
        row_problems: list[str] = []
        facility = _parse_row(row, row_problems)
        if facility is not None:
            if facility.id in seen:
                row_problems.append(f"id {facility.id!r} is already used on line {seen[facility.id]}")
            seen.setdefault(facility.id, line)
        problems.extend(f"line {line}: {p}" for p in row_problems)
        if facility is not None and not row_problems:
            facilities.append(facility)
    if not problems and not facilities:
        problems.append("no facility rows after the header")
    if problems:
        raise InputError(
            f"{source}: {len(problems)} problem(s) in the facilities file:\n" + "\n".join(problems)
        ).coded("facility_csv_invalid", problems=problems)
    return facilities


def _parse_row(row: dict[str, str], problems: list[str]) -> Facility | None:
    count = len(problems)
    facility_id = row["id"]
    problem = check_facility_id(facility_id)
    if problem:
        problems.append(problem)
    name = row["name"]
    if not name or len(name) > MAX_NAME_LENGTH:
        problems.append(f"name must be 1..{MAX_NAME_LENGTH} characters")
    kind = None
    try:
        kind = FacilityKind(row["kind"])
    except ValueError:
        problems.append(f"kind {row['kind']!r} is not one of {', '.join(k.value for k in FacilityKind)}")
    lon = lat = None
    try:
        lon, lat = float(row["lon"]), float(row["lat"])
    except ValueError:
        problems.append(f"lon {row['lon']!r} / lat {row['lat']!r} are not decimal degrees")
    if lon is not None and lat is not None:
        problem = check_location(lon, lat)
        if problem:
            problems.append(problem)
    approximate = csv_table.parse_bool("approximate", row["approximate"], problems)
    active = csv_table.parse_bool("active", row.get("active", ""), problems, default=True)
    source = row["source"]
    if not source or len(source) > MAX_SOURCE_LENGTH:
        problems.append(f"source must say where the position comes from (1..{MAX_SOURCE_LENGTH} characters)")
    note = row.get("note", "")
    if len(note) > MAX_NOTE_LENGTH:
        problems.append(f"note is longer than {MAX_NOTE_LENGTH} characters")
    if "\x00" in "".join(row.values()):
        problems.append("a field contains a NUL character")
    if len(problems) > count or kind is None or lon is None or lat is None:
        return None
    if approximate is None or active is None:
        return None
    return Facility(
        id=facility_id,
        name=name,
        kind=kind,
        location=LonLat(lon, lat),
        approximate=approximate,
        source=source,
        note=note,
        active=active,
    )
