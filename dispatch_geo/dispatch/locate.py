"""Where a new incident is: from coordinates, a place kode from the autocomplete, or a typed place name.

A named place resolves to its settlement core or seat (:mod:`dispatch_geo.places`) when the road
graph's resolved places are at hand, else to a point inside its polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.gazetteer import Gazetteer, Location, PlaceMatch
from dispatch_geo.places import PlaceIndex, PlacePoint, UnknownPlaceError


@dataclass(frozen=True)
class IncidentPlace:
    """Where a new incident is: its point, its desa, and the named place it came from (if any).

    ``match`` is the best name match of a typed ``place`` (None for a ``place_kode`` or coordinates);
    ``place_point`` the desa or kecamatan the point was resolved from (None for coordinates).
    """

    point: LonLat
    location: Location
    match: PlaceMatch | None
    place_point: PlacePoint | None


def locate_incident(
    gazetteer: Gazetteer,
    *,
    location: LonLat | None,
    place: str | None,
    place_kode: str | None = None,
    places: PlaceIndex | None = None,
) -> IncidentPlace:
    """The incident's point and desa: from coordinates, a place kode, or a place name's best match.

    A ``place_kode`` (from the autocomplete) wins over the ``place`` text. With ``places`` a named place
    resolves to its settlement core or seat (:mod:`dispatch_geo.places`) and the incident's desa is the
    one the place stands for (the desa, or the kecamatan's seat); without, to a point inside its polygon.

    Raises
    ------
    InputError
        No location, or coordinates together with a place; no place matches the name; the kode is
        unknown (:class:`~dispatch_geo.places.UnknownPlaceError`).
    OutsideServiceAreaError
        The point lies outside Siak beyond the gazetteer's buffer.
    """
    named = place_kode is not None or (place is not None and bool(place.strip()))
    if (location is None) == (not named):
        raise InputError("give the incident location either as lon/lat or as a place, not both")
    if location is not None:
        return IncidentPlace(location, gazetteer.locate(location), None, None)
    if place_kode is not None:
        if places is None:
            raise InputError("a place_kode needs the resolved places of the road graph; give lon/lat instead")
        try:
            chosen = places.get(place_kode)
        except UnknownPlaceError as exc:
            raise exc.coded("unknown_place", field="place_kode", kode=place_kode) from None
        return IncidentPlace(chosen.point, _location_of(chosen), None, chosen)
    assert place is not None
    matches = gazetteer.search(place, limit=1)
    if not matches:
        raise InputError(f"no desa or kecamatan in Siak matches the place name {place!r}").coded(
            "place_not_found", field="place", query=place
        )
    match = matches[0]
    if places is None:
        return IncidentPlace(match.centroid, gazetteer.locate(match.centroid), match, None)
    chosen = places.get(match.kode)
    return IncidentPlace(chosen.point, _location_of(chosen), match, chosen)


def place_address(where: IncidentPlace) -> str:
    """The place text of a located incident: the named place ("Kampung Rempak (desa), Kecamatan
    Siak"), or "" for a point given by coordinates (its desa and kecamatan say where it is)."""
    if where.place_point is not None:
        p = where.place_point
        return f"{p.nama} ({p.level}), Kecamatan {p.kecamatan_nama}"
    if where.match is not None:
        m = where.match
        return f"{m.nama} ({m.level}), Kecamatan {m.kecamatan_nama}"
    return ""


def _location_of(chosen: PlacePoint) -> Location:
    """The desa a named place stands for, even when its point is on a road just beyond the border."""
    return Location(
        desa_kode=chosen.desa_kode,
        desa_nama=chosen.desa_nama,
        kecamatan_kode=chosen.kecamatan_kode,
        kecamatan_nama=chosen.kecamatan_nama,
        inside=chosen.desa_distance_m == 0,
        distance_m=chosen.desa_distance_m,
    )
