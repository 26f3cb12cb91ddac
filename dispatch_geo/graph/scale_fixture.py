"""SCALE FIXTURES: synthetic road-like OSM files inside the regency, at a chosen node count.

The schematic stand-in has about 21k nodes; the real Siak network for emergency vehicles is likely
100k–400k. To measure routing at that scale without a real extract, this module writes an OSM XML
file of the wanted size that goes through the same build pipeline (``dispatch-geo graph build
--source FILE``). It is **not real roads**: every way carries ``source=schematic`` and a note, so
the graph built from it is labelled schematic wherever it shows.

Layout (deterministic for ``(n_nodes, seed)``; metres in UTM 47N, :data:`METRIC_CRS`):

- a jittered lattice of junctions covering the regency outline, spacing chosen from the outline's
  area so that the built graph has about ``n_nodes`` nodes; a share of lattice links is left out
  (so blocks vary and some streets end);
- ways run along lattice rows and columns, up to :data:`WAY_SEGMENTS` links each; every 24th line
  is primary, every 8th secondary, every 4th tertiary, the rest residential, unclassified or (in
  most of the land, as on oil-palm estates) track;
- about half the links carry a bent shape node (removed again by simplification, kept as geometry);
- :data:`ONE_WAY_SHARE` of minor ways are one-way; service spurs (driveways) end in dead ends;
- surfaces by class (asphalt on main roads, earth and gravel on tracks) and some ``maxspeed`` tags.

Files are generated on demand and cached under ``var/`` (see :func:`scale_fixture`), never committed.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.errors import InputError

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FORMAT_VERSION = 1
"""Bumped when the layout changes, so cached files of an older layout are not reused."""
MIN_NODES, MAX_NODES = 1_000, 2_000_000
WAY_SEGMENTS = 6
ONE_WAY_SHARE = 0.06
DROP_SHARE = 0.10
SHAPE_SHARE = 0.5
SPUR_SHARE = 0.08
NODE_YIELD = 1.02
"""Built graph nodes per lattice junction written (measured on the 20k fixture: the spurs' dead ends
add more nodes than the left-out links and the largest strongly connected component take away)."""
NOTE = "SCALE FIXTURE: synthetic, not a real road"
TIMESTAMP = "2026-01-01T00:00:00Z"
SURFACES: dict[str, tuple[str, ...]] = {
    "primary": ("asphalt",),
    "secondary": ("asphalt", "concrete"),
    "tertiary": ("asphalt", "concrete", "gravel"),
    "residential": ("concrete", "asphalt", "gravel", "ground"),
    "unclassified": ("asphalt", "gravel", "compacted", "ground"),
    "track": ("ground", "dirt", "unpaved", "gravel"),
    "service": ("concrete", "ground", "unpaved"),
}


@dataclass(frozen=True)
class FixtureStats:
    """What was written: lattice junctions, all OSM nodes (with shape and spur nodes) and ways."""

    n_nodes_wanted: int
    spacing_m: float
    junctions: int
    osm_nodes: int
    ways: int
    one_way_ways: int


def fixture_path(directory: Path, n_nodes: int, seed: int) -> Path:
    """Where the fixture of ``n_nodes`` and ``seed`` is cached inside ``directory``."""
    return directory / f"siak_scale_v{FORMAT_VERSION}_{n_nodes}_s{seed}.osm"


def scale_fixture(directory: Path, outline: BaseGeometry, n_nodes: int, *, seed: int = 15) -> Path:
    """The cached fixture file, written first if it is not there yet (atomically)."""
    path = fixture_path(directory, n_nodes, seed)
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".osm.tmp")
    stats = write_scale_osm(outline, tmp, n_nodes, seed=seed)
    os.replace(tmp, path)
    log.info("wrote scale fixture %s: %s", path, stats)
    return path


def write_scale_osm(outline: BaseGeometry, path: Path, n_nodes: int, *, seed: int = 15) -> FixtureStats:
    """Write a road-like OSM XML file of about ``n_nodes`` built graph nodes inside ``outline``."""
    if not MIN_NODES <= n_nodes <= MAX_NODES:
        raise InputError(f"a scale fixture has {MIN_NODES:,}–{MAX_NODES:,} nodes, got {n_nodes:,}")
    rng = np.random.default_rng(seed)
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    to_deg = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    area_m = shapely.transform(outline, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))
    spacing = math.sqrt(area_m.area * NODE_YIELD / n_nodes)
    minx, miny, maxx, maxy = area_m.bounds
    cols = int((maxx - minx) // spacing) + 1
    rows = int((maxy - miny) // spacing) + 1
    jj, ii = np.meshgrid(np.arange(cols), np.arange(rows))
    x = minx + jj.ravel() * spacing + rng.uniform(-0.2, 0.2, rows * cols) * spacing
    y = miny + ii.ravel() * spacing + rng.uniform(-0.2, 0.2, rows * cols) * spacing
    inside = shapely.contains_xy(area_m, x, y)
    node_id = np.zeros(rows * cols, dtype=np.int64)
    node_id[inside] = np.arange(1, int(inside.sum()) + 1)
    grid_id = node_id.reshape(rows, cols)
    n_junctions = int(inside.sum())

    lines = list(_lattice_lines(grid_id))
    keep = [rng.random(max(len(line) - 1, 0)) >= DROP_SHARE for _, _, line in lines]
    # shape nodes: one bent point in the middle of about half the links
    mids: list[tuple[float, float]] = []
    ways: list[tuple[list[int], dict[str, str]]] = []
    next_id = n_junctions + 1
    xs, ys = x[inside], y[inside]
    for (index, _, line), kept in zip(lines, keep, strict=True):
        cls = _line_class(index, rng)
        for run in _runs(line, kept):
            for start in range(0, len(run) - 1, WAY_SEGMENTS):
                chunk = run[start : start + WAY_SEGMENTS + 1]
                refs: list[int] = [int(chunk[0])]
                for a, b in itertools.pairwise(chunk):
                    if rng.random() < SHAPE_SHARE:
                        mx = (xs[a - 1] + xs[b - 1]) / 2 + rng.uniform(-0.12, 0.12) * spacing
                        my = (ys[a - 1] + ys[b - 1]) / 2 + rng.uniform(-0.12, 0.12) * spacing
                        mids.append((mx, my))
                        refs.append(next_id)
                        next_id += 1
                    refs.append(int(b))
                ways.append((refs, _tags(cls, rng)))
    # service spurs from some junctions, each ending in a dead end (with one shape node)
    spur_from = np.flatnonzero(rng.random(n_junctions) < SPUR_SHARE) + 1
    angle = rng.uniform(0, 2 * math.pi, spur_from.shape[0])
    reach = rng.uniform(0.15, 0.35, spur_from.shape[0]) * spacing
    for k, j in enumerate(spur_from.tolist()):
        bx, by = xs[j - 1] + reach[k] * math.cos(angle[k]), ys[j - 1] + reach[k] * math.sin(angle[k])
        mids.append(((xs[j - 1] + bx) / 2 + 0.05 * reach[k], (ys[j - 1] + by) / 2))
        mids.append((bx, by))
        ways.append(([j, next_id, next_id + 1], _tags("service", rng, one_way=False)))
        next_id += 2
    extra = np.asarray(mids, dtype=np.float64).reshape(-1, 2)
    lon, lat = to_deg.transform(np.concatenate([xs, extra[:, 0]]), np.concatenate([ys, extra[:, 1]]))
    with path.open("w", encoding="utf-8") as out:
        _write(out, np.asarray(lon), np.asarray(lat), ways)
    return FixtureStats(
        n_nodes_wanted=n_nodes,
        spacing_m=round(spacing, 1),
        junctions=n_junctions,
        osm_nodes=next_id - 1,
        ways=len(ways),
        one_way_ways=sum(1 for _, tags in ways if tags.get("oneway") == "yes"),
    )


def _lattice_lines(grid_id: IntArray) -> Iterator[tuple[int, bool, IntArray]]:
    """Every row and every column of the lattice as node ids (0 = outside the outline)."""
    for i in range(grid_id.shape[0]):
        yield i, True, grid_id[i, :]
    for j in range(grid_id.shape[1]):
        yield j, False, grid_id[:, j]


def _runs(line: IntArray, kept: npt.NDArray[np.bool_]) -> Iterator[list[int]]:
    """Stretches of consecutive inside nodes joined by kept links."""
    run: list[int] = []
    for k in range(line.shape[0]):
        node = int(line[k])
        if node == 0:
            if len(run) > 1:
                yield run
            run = []
            continue
        if run and not kept[k - 1]:
            if len(run) > 1:
                yield run
            run = []
        run.append(node)
    if len(run) > 1:
        yield run


def _line_class(index: int, rng: np.random.Generator) -> str:
    if index % 24 == 0:
        return "primary"
    if index % 8 == 0:
        return "secondary"
    if index % 4 == 0:
        return "tertiary"
    return str(rng.choice(["track", "track", "unclassified", "residential"]))


def _tags(cls: str, rng: np.random.Generator, *, one_way: bool | None = None) -> dict[str, str]:
    tags = {"highway": cls, "surface": str(rng.choice(SURFACES[cls]))}
    minor = cls in {"residential", "unclassified", "track"}
    if one_way if one_way is not None else (minor and rng.random() < ONE_WAY_SHARE):
        tags["oneway"] = "yes"
    if cls in {"primary", "secondary"} and rng.random() < 0.3:
        tags["maxspeed"] = str(rng.choice(["60", "50 km/h", "ID:rural"]))
    tags["source"] = "schematic"
    tags["note"] = NOTE
    return tags


def _write(
    out: TextIO, lon: FloatArray, lat: FloatArray, ways: list[tuple[list[int], dict[str, str]]]
) -> None:
    out.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    out.write(f'<osm version="0.6" generator="siaga scale fixture" timestamp="{TIMESTAMP}">\n')
    for i in range(lon.shape[0]):
        out.write(f'<node id="{i + 1}" version="1" lat="{lat[i]:.7f}" lon="{lon[i]:.7f}"/>\n')
    for w, (refs, tags) in enumerate(ways, start=1):
        out.write(f'<way id="{w}" version="1">')
        out.write("".join(f'<nd ref="{r}"/>' for r in refs))
        out.write("".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()))
        out.write("</way>\n")
    out.write("</osm>\n")
