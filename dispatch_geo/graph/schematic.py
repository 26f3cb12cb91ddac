"""The SCHEMATIC road network of Kabupaten Siak, written as OpenStreetMap XML.

No OpenStreetMap extract of Siak can be downloaded on our build machines, so the offline demo and
the tests at regency scale run on this stand-in, **generated from the real village geography** and
labelled schematic everywhere it shows. It is NOT real roads. It goes through exactly the same
pipeline as real OSM (``dispatch-geo graph build --source data/siak_schematic.osm.bz2``).

How it is laid out (deterministic for a seed; work in UTM 47N metres):

- **trunk / primary corridors** between the 14 kecamatan capitals: the main axis
  Siak – Tualang (Perawang) – Minas – Kandis is trunk and continues past the border towards
  Pekanbaru and Duri/Dumai; the rest of a minimum spanning tree over the capitals, plus a few
  loops, is primary. A motorway stand-in for the Pekanbaru–Dumai toll road runs parallel west of
  Minas–Kandis, joined by ``motorway_link`` ramps;
- **secondary / tertiary links** between the centres of neighbouring villages (shared borders):
  a spanning tree of the village adjacency plus part of the remaining pairs;
- **a local street mesh** around each village centre (jittered grid corners, a bent node at every
  block midpoint), denser and larger in kelurahan (urban wards), where some streets are one-way,
  **service spurs** (driveways) off the streets, and **plantation tracks** in large rural villages;
- **surfaces** assigned by length in Siak's proportions (BPS 2022: asphalt 914.83 km, gravel
  489.93 km, concrete 444.63 km, earth 1,030.81 km), main roads first, written with the values real
  mappers use (earth as ``ground``/``dirt``/``unpaved``/``earth``, gravel as ``gravel``/``compacted``);
- **junctions**: wherever two ways cross they share a node (at grade), except the toll road, which
  crosses on bridges; one-way streets that would strand a junction are made two-way again, so the
  graph is strongly connected;
- **maxspeed** on some ways in the forms real OSM carries (``"60"``, ``"50 km/h"``, ``"ID:urban"``).

Every way carries ``source=schematic`` and ``note=SCHEMATIC stand-in, not a real road``; the graph
pipeline turns that into ``schematic: true`` on the graph and everything built from it.
"""

from __future__ import annotations

import bz2
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from dispatch_geo.boundaries import Boundaries
from dispatch_geo.graph.schematic_layout import build_network
from dispatch_geo.graph.schematic_network import NOTE, Network

TIMESTAMP = "2026-01-01T00:00:00Z"
SURFACE_TARGET_KM = {"asphalt": 914.83, "concrete": 444.63, "gravel": 489.93, "earth": 1030.81}
"""Siak regency roads by surface class, BPS 2022 (km)."""
SURFACE_TAGS: dict[str, tuple[tuple[str, float], ...]] = {
    "asphalt": (("asphalt", 1.0),),
    "concrete": (("concrete", 1.0),),
    "gravel": (("gravel", 0.85), ("compacted", 0.15)),
    "earth": (("ground", 0.5), ("dirt", 0.2), ("unpaved", 0.2), ("earth", 0.1)),
}
"""OSM ``surface`` values written for each BPS class, with their shares (the mix real mappers use)."""
SURFACE_CLASS = {tag: cls for cls, tags in SURFACE_TAGS.items() for tag, _ in tags}
"""BPS surface class of each OSM ``surface`` value written."""
RANK = {
    "motorway": 0,
    "motorway_link": 0,
    "trunk": 0,
    "primary": 1,
    "secondary": 2,
    "tertiary": 3,
    "residential": 4,
    "unclassified": 5,
    "service": 6,
    "track": 7,
}


@dataclass
class SchematicStats:
    """What was generated (lengths in km along the generated geometry)."""

    nodes: int
    ways: int
    length_km_by_highway: dict[str, float] = field(default_factory=dict)
    length_km_by_surface: dict[str, float] = field(default_factory=dict)
    """By OSM ``surface`` tag value."""

    @property
    def total_km(self) -> float:
        """Total length of all ways (km)."""
        return round(sum(self.length_km_by_highway.values()), 1)

    @property
    def length_km_by_surface_class(self) -> dict[str, float]:
        """By BPS surface class (asphalt, concrete, gravel, earth), as in :data:`SURFACE_TARGET_KM`."""
        out = dict.fromkeys(SURFACE_TARGET_KM, 0.0)
        for tag, km in self.length_km_by_surface.items():
            out[SURFACE_CLASS[tag]] += km
        return {k: round(v, 1) for k, v in out.items()}

    def __str__(self) -> str:
        return (
            f"{self.nodes:,} nodes, {self.ways:,} ways, {self.total_km:,.0f} km; "
            f"by surface class {self.length_km_by_surface_class}"
        )


def _assign_surfaces(net: Network, rng: np.random.Generator) -> None:
    """Fill Siak's surface shares by length, best surfaces on the most important roads first."""
    total = sum(w.length_m for w in net.ways)
    scale = total / (sum(SURFACE_TARGET_KM.values()) * 1000)
    quota = {s: km * 1000 * scale for s, km in SURFACE_TARGET_KM.items()}
    order = sorted(range(len(net.ways)), key=lambda i: (RANK[net.ways[i].tags["highway"]], rng.random()))
    surfaces = list(SURFACE_TARGET_KM)
    current = 0
    for i in order:
        way = net.ways[i]
        rank = RANK[way.tags["highway"]]
        if rank <= 1:
            way.tags["surface"] = "asphalt"
            quota["asphalt"] -= way.length_m
            continue
        while current < len(surfaces) - 1 and quota[surfaces[current]] <= 0:
            current += 1
        # a little mixing between neighbouring surfaces, as real roads are not sorted by quality
        pick = current + (1 if current < len(surfaces) - 1 and rng.random() < 0.15 else 0)
        quota[surfaces[pick]] -= way.length_m
        way.tags["surface"] = _surface_tag(surfaces[pick], rng)


def _surface_tag(surface_class: str, rng: np.random.Generator) -> str:
    tags, weights = zip(*SURFACE_TAGS[surface_class], strict=True)
    return str(tags[int(rng.choice(len(tags), p=np.array(weights) / sum(weights)))])


def generate_schematic_osm(boundaries: Boundaries, *, seed: int = 112) -> bytes:
    """The schematic network as OSM XML 0.6 (uncompressed bytes); byte-identical for the same input."""
    xml, _ = _render(boundaries, seed)
    return xml


def _render(boundaries: Boundaries, seed: int) -> tuple[bytes, SchematicStats]:
    net, to_lonlat = build_network(boundaries, seed=seed)
    _assign_surfaces(net, np.random.default_rng(seed + 1))
    xy = np.array(net.xy)
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    used = sorted({r for w in net.ways for r in w.refs})
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="siak-siaga schematic generator">',
        f"  <!-- {NOTE}: generated from village boundaries (seed {seed}); contains no OpenStreetMap data -->",
        f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" maxlat="{lat.max():.7f}" '
        f'maxlon="{lon.max():.7f}"/>',
    ]
    lines += [
        f'  <node id="{n}" version="1" timestamp="{TIMESTAMP}" '
        f'lat="{lat[n - 1]:.7f}" lon="{lon[n - 1]:.7f}"/>'
        for n in used
    ]
    by_highway: dict[str, float] = {}
    by_surface: dict[str, float] = {}
    for way_id, way in enumerate(net.ways, start=1):
        lines.append(f'  <way id="{way_id}" version="1" timestamp="{TIMESTAMP}">')
        lines += [f'    <nd ref="{r}"/>' for r in way.refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(way.tags.items())]
        lines.append("  </way>")
        by_highway[way.tags["highway"]] = by_highway.get(way.tags["highway"], 0.0) + way.length_m / 1000
        by_surface[way.tags["surface"]] = by_surface.get(way.tags["surface"], 0.0) + way.length_m / 1000
    lines.append("</osm>")
    stats = SchematicStats(
        nodes=len(used),
        ways=len(net.ways),
        length_km_by_highway={k: round(v, 1) for k, v in sorted(by_highway.items())},
        length_km_by_surface={k: round(v, 1) for k, v in sorted(by_surface.items())},
    )
    return ("\n".join(lines) + "\n").encode("utf-8"), stats


def write_schematic_osm(boundaries: Boundaries, out_path: Path, *, seed: int = 112) -> SchematicStats:
    """Write the schematic network as ``.osm.bz2`` (or plain ``.osm``) and return what it holds."""
    xml, stats = _render(boundaries, seed)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(bz2.compress(xml, 9) if out_path.suffix == ".bz2" else xml)
    return stats
