"""The local roads of one village in the schematic network: streets, driveways, plantation tracks.

See :mod:`dispatch_geo.graph.schematic` for what the network is and how it is labelled.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dispatch_geo.graph.schematic_network import Network, Point2, road_tags, straight, wiggly

Cell = tuple[int, int]
STEPS: tuple[Cell, Cell] = ((1, 0), (0, 1))


@dataclass(frozen=True)
class Village:
    """What the street layout needs to know about one desa (geometry in metres)."""

    name: str
    polygon: BaseGeometry
    centre: np.ndarray
    kelurahan: bool
    area_km2: float


def add_village_roads(net: Network, rng: np.random.Generator, village: Village) -> None:
    """Lay out a village's street grid around its centre, then driveways and plantation tracks.

    Kelurahan (urban wards) get a denser, larger grid, main streets with ``maxspeed=30`` and some
    one-way streets (alternating directions; :meth:`Network.drop_stranding_oneways` later reverts any
    that would strand a node). Grid corners are jittered a little and every block has a bent
    midpoint node, so streets are not ruler-straight and driveways have somewhere to join.
    """
    inner: BaseGeometry = village.polygon.buffer(-50)
    if inner.is_empty:
        inner = village.polygon
    shapely.prepare(inner)
    spacing = 110.0 if village.kelurahan else 160.0
    half = 800.0 if village.kelurahan else min(300.0 + 10.0 * math.sqrt(village.area_km2), 450.0)
    k = int(half // spacing)
    angle = rng.uniform(0, np.pi / 2)
    u = np.array([math.cos(angle), math.sin(angle)])
    v = np.array([-u[1], u[0]])
    grid: dict[Cell, np.ndarray] = {}
    for a in range(-k, k + 1):
        for b in range(-k, k + 1):
            jitter = np.zeros(2) if (a, b) == (0, 0) else rng.normal(0.0, 0.07 * spacing, 2)
            grid[(a, b)] = village.centre + a * spacing * u + b * spacing * v + jitter
    inside = {key for key, p in grid.items() if inner.contains(Point(p)) or key == (0, 0)}
    midpoints: dict[tuple[Cell, Cell], np.ndarray] = {}
    for key in sorted(inside):
        for step, side in zip(STEPS, (v, u), strict=True):
            nxt = (key[0] + step[0], key[1] + step[1])
            if nxt in inside:
                bend = rng.normal(0.0, 0.05 * spacing)
                midpoints[(key, nxt)] = (grid[key] + grid[nxt]) / 2 + bend * side
    _streets(net, village, grid, inside, midpoints)
    _driveways(net, rng, village, inner, inside, midpoints, (u, v))
    if not village.kelurahan and village.area_km2 > 40:
        _tracks(net, rng, village, inner, half, (u, v))


def _streets(
    net: Network,
    village: Village,
    grid: dict[Cell, np.ndarray],
    inside: set[Cell],
    midpoints: dict[tuple[Cell, Cell], np.ndarray],
) -> None:
    """One residential way per straight run of grid cells, with a node at every block midpoint."""
    for step in STEPS:
        for key in sorted(inside):
            if (key[0] - step[0], key[1] - step[1]) in inside:
                continue  # not the start of a run
            run = [key]
            while (run[-1][0] + step[0], run[-1][1] + step[1]) in inside:
                run.append((run[-1][0] + step[0], run[-1][1] + step[1]))
            if len(run) < 2:
                continue
            points: list[Point2] = []
            for p, q in itertools.pairwise(run):
                points += [_pt(grid[p]), _pt(midpoints[(p, q)])]
            points.append(_pt(grid[run[-1]]))
            across = key[1] if step == (1, 0) else key[0]  # which row (or column) this run is
            tags = road_tags("residential", f"Jalan {village.name}")
            if village.kelurahan and across == 0:
                tags["maxspeed"] = "30"  # the main streets through the ward centre
            if village.kelurahan and step == (1, 0) and across % 2 == 1:
                tags["oneway"] = "yes"
                if across % 4 == 3:
                    points.reverse()  # alternate directions, as in a real one-way grid
            net.add(points, tags)


def _driveways(
    net: Network,
    rng: np.random.Generator,
    village: Village,
    inner: BaseGeometry,
    inside: set[Cell],
    midpoints: dict[tuple[Cell, Cell], np.ndarray],
    axes: tuple[np.ndarray, np.ndarray],
) -> None:
    """Short ``service=driveway`` spurs off block midpoints, one or two per grid cell."""
    u, v = axes
    blocks = sorted(midpoints)
    if not blocks:
        return
    spurs = int(len(inside) * (2.2 if village.kelurahan else 1.6))
    for _ in range(spurs):
        block = blocks[int(rng.integers(len(blocks)))]
        base = midpoints[block]
        side = v if block[1][0] != block[0][0] else u  # perpendicular to the block
        tip = base + side * rng.uniform(30, 80) * (1 if rng.random() < 0.5 else -1)
        if inner.contains(Point(tip)):
            tags = {**road_tags("service", "Jalan Masuk"), "service": "driveway"}
            net.add([_pt(base), _pt(tip)], tags)


def _tracks(
    net: Network,
    rng: np.random.Generator,
    village: Village,
    inner: BaseGeometry,
    half: float,
    axes: tuple[np.ndarray, np.ndarray],
) -> None:
    """A block of plantation tracks beside the settlement of a large rural village, with an
    unclassified access road to the village centre."""
    u, v = axes
    spacing = 1500.0
    origin = village.centre + u * (half + 1000.0)
    pts = {(a, b): origin + a * spacing * u + (b - 0.5) * spacing * v for a in range(3) for b in range(2)}
    ok = {key for key, p in pts.items() if inner.contains(Point(p))}
    name = f"Jalan Kebun {village.name}"
    for step in STEPS:
        for key in sorted(ok):
            nxt = (key[0] + step[0], key[1] + step[1])
            if nxt in ok:
                net.add(wiggly(pts[key], pts[nxt], rng, step_m=300.0, wiggle=0.015), road_tags("track", name))
    if ok:
        nearest = min(sorted(ok), key=lambda key: float(np.hypot(*(pts[key] - village.centre))))
        net.add(straight(pts[nearest], village.centre, 300.0), road_tags("unclassified", name))


def _pt(p: np.ndarray) -> Point2:
    return (float(p[0]), float(p[1]))
