"""Reading OpenStreetMap input: local files (XML, XML.bz2, PBF) and which ways emergency vehicles use.

Local files are read with pyosmium (one reader for ``.osm``, ``.osm.bz2``, ``.osm.gz`` and
``.osm.pbf``), filtered to the emergency-vehicle network, clipped to the service area, and written
to a plain OSM XML file that osmnx turns into a graph, the same way it treats Overpass data.

The network filter ("drive + service roads + tracks, emergency access respected"):

- every ``highway`` class a motor vehicle can use: motorway … tertiary and their ``_link`` ramps,
  unclassified, residential, living_street, service (driveways lead to houses; parking aisles to
  clinics), track (oil-palm estate and village roads in Siak are often tagged ``track``), road, busway;
- not ``area=yes`` (squares drawn as closed ways), not under construction or proposed;
- not where motor vehicles are banned (``access``/``motor_vehicle``/``motorcar`` = no or private
  gate-only), *unless* ``emergency=yes|designated`` explicitly lets emergency vehicles through.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from dispatch_geo.errors import GraphBuildError

log = logging.getLogger(__name__)

EMERGENCY_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "track",
        "road",
        "busway",
    }
    | {f"{c}_link" for c in ("motorway", "trunk", "primary", "secondary", "tertiary")}
)
_BANNED = frozenset({"no"})
_EMERGENCY_OK = frozenset({"yes", "designated", "permissive"})

OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml", ".xml.bz2")

# The same rules as an Overpass QL filter, for osmnx.graph_from_polygon(custom_filter=...).
# Two filters are unioned: ordinary drivable ways, and ways opened to emergency vehicles.
_HIGHWAY_RE = "^(" + "|".join(sorted(c for c in EMERGENCY_HIGHWAYS if not c.endswith("_link"))) + ")(_link)?$"
OVERPASS_FILTERS: tuple[str, ...] = (
    f'["highway"~"{_HIGHWAY_RE}"]["area"!~"yes"]["access"!~"^no$"]'
    '["motor_vehicle"!~"^no$"]["motorcar"!~"^no$"]',
    f'["highway"~"{_HIGHWAY_RE}"]["area"!~"yes"]["emergency"~"^(yes|designated|permissive)$"]',
)


def is_emergency_drivable(tags: Mapping[str, str]) -> bool:
    """True when an OSM way with these tags belongs to the emergency-vehicle road network."""
    if tags.get("highway") not in EMERGENCY_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    if tags.get("emergency") in _EMERGENCY_OK:
        return True
    return not any(tags.get(key) in _BANNED for key in ("access", "motor_vehicle", "motorcar"))


@dataclass(frozen=True)
class ExtractSummary:
    """What was read from a local OSM file."""

    ways_read: int
    ways_kept: int
    nodes_kept: int
    osm_timestamp: datetime | None
    osm_timestamp_source: str


def is_osm_path(path: Path) -> bool:
    """Whether the file name looks like an OSM extract pyosmium can read."""
    name = path.name.lower()
    return any(name.endswith(suffix) for suffix in OSM_SUFFIXES)


def extract_network_xml(
    source: Path,
    out_xml: Path,
    *,
    clip_polygon: BaseGeometry | None,
) -> ExtractSummary:
    """Filter ``source`` to the emergency network, clip it, and write plain OSM XML to ``out_xml``.

    A way is kept when at least one of its nodes lies inside ``clip_polygon`` (WGS84), so roads that
    cross the border keep their whole length. ``clip_polygon=None`` keeps everything.

    Raises
    ------
    GraphBuildError
        The file is missing, not OSM, empty, or has no road inside the polygon.
    """
    if not source.exists():
        raise GraphBuildError(f"OSM source {source} does not exist")
    if not is_osm_path(source):
        raise GraphBuildError(
            f"{source.name} is not an OpenStreetMap file; expected one of {', '.join(OSM_SUFFIXES)}"
        )
    if source.stat().st_size == 0:
        raise GraphBuildError(f"OSM source {source} is empty")

    prepared = None
    if clip_polygon is not None:
        prepared = clip_polygon
        shapely.prepare(prepared)

    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    ways_read = 0
    newest: datetime | None = None
    try:
        processor = (
            osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            ways_read += 1
            tags = {tag.k: tag.v for tag in obj.tags}
            if not is_emergency_drivable(tags):
                continue
            refs: list[int] = []
            coords: list[tuple[float, float]] = []
            for node_ref in obj.nodes:
                loc = node_ref.location
                if not loc.valid():
                    continue
                refs.append(node_ref.ref)
                coords.append((loc.lon, loc.lat))
            if len(refs) < 2:
                continue
            if prepared is not None:
                xy = np.asarray(coords)
                if not shapely.contains_xy(prepared, xy[:, 0], xy[:, 1]).any():
                    continue
            for ref, lonlat in zip(refs, coords, strict=True):
                nodes[ref] = lonlat
            ways.append((obj.id, refs, tags))
            stamp = obj.timestamp
            if stamp is not None and stamp.year > 1970 and (newest is None or stamp > newest):
                newest = stamp
        header_stamp = processor.header.get("osmosis_replication_timestamp")
    except RuntimeError as exc:
        raise GraphBuildError(f"{source} could not be read as OpenStreetMap data: {exc}") from None

    if ways_read == 0:
        raise GraphBuildError(f"{source} holds no OSM ways with a highway tag (is it an empty extract?)")
    if not ways:
        where = "inside the service area" if clip_polygon is not None else "in the file"
        raise GraphBuildError(
            f"{source} has {ways_read} highway ways but none usable by emergency vehicles {where}; "
            "check that the extract covers Kabupaten Siak"
        )

    timestamp, stamp_source = _pick_timestamp(header_stamp, newest)
    _write_xml(out_xml, nodes, ways, timestamp)
    log.info("kept %d of %d highway ways (%d nodes) from %s", len(ways), ways_read, len(nodes), source)
    return ExtractSummary(
        ways_read=ways_read,
        ways_kept=len(ways),
        nodes_kept=len(nodes),
        osm_timestamp=timestamp,
        osm_timestamp_source=stamp_source,
    )


def _pick_timestamp(header_stamp: str, newest: datetime | None) -> tuple[datetime | None, str]:
    if header_stamp:
        try:
            parsed = datetime.fromisoformat(header_stamp.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC), "file header (osmosis_replication_timestamp)"
        except ValueError:
            log.warning("ignoring unparseable replication timestamp %r", header_stamp)
    if newest is not None:
        return newest.astimezone(UTC), "newest edit among the kept ways"
    return None, "unknown (no timestamps in the file)"


def _write_xml(
    out_xml: Path,
    nodes: dict[int, tuple[float, float]],
    ways: list[tuple[int, list[int], dict[str, str]]],
    timestamp: datetime | None,
) -> None:
    with out_xml.open("w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="siak-siaga extract">\n'
        )
        if timestamp is not None:
            fh.write(f'  <meta osm_base="{timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")}"/>\n')
        for node_id, (lon, lat) in nodes.items():
            if not (math.isfinite(lon) and math.isfinite(lat)):
                continue
            fh.write(f'  <node id="{node_id}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            fh.write(f'  <way id="{way_id}">\n')
            fh.writelines(f'    <nd ref="{ref}"/>\n' for ref in refs)
            fh.writelines(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n" for k, v in tags.items())
            fh.write("  </way>\n")
        fh.write("</osm>\n")
