"""Laying out the schematic network in metres: corridors, village links, streets, spurs, tracks.

See :mod:`dispatch_geo.graph.schematic` for what the network is and how it is labelled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import METRIC_CRS, Boundaries, kecamatan_capitals

NOTE = "SCHEMATIC stand-in, not a real road"
TRUNK_AXIS = ("14.08.01", "14.08.04", "14.08.03", "14.08.10")  # Siak, Tualang, Minas, Kandis
PEKANBARU = (101.447, 0.507)
DURI = (101.21, 1.27)
THROUGH_CORRIDORS = (
    ("14.08.03", PEKANBARU, "Pekanbaru"),  # Minas
    ("14.08.04", PEKANBARU, "Pekanbaru"),  # Tualang (Perawang)
    ("14.08.10", DURI, "Duri"),  # Kandis
)


@dataclass
class Way:
    refs: list[int]
    tags: dict[str, str]
    length_m: float


class Network:
    """Nodes keyed by their position rounded to the metre, so touching roads share junctions."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], int] = {}
        self.xy: list[tuple[float, float]] = []
        self.ways: list[Way] = []

    def node(self, x: float, y: float) -> int:
        key = (round(x), round(y))
        found = self.nodes.get(key)
        if found is None:
            found = len(self.xy) + 1
            self.nodes[key] = found
            self.xy.append((float(key[0]), float(key[1])))
        return found

    def add(self, points: Iterable[tuple[float, float]], tags: dict[str, str]) -> Way | None:
        refs: list[int] = []
        for x, y in points:
            n = self.node(x, y)
            if not refs or refs[-1] != n:
                refs.append(n)
        if len(refs) < 2:
            return None
        xy = np.array([self.xy[r - 1] for r in refs])
        way = Way(refs, tags, float(np.hypot(*np.diff(xy, axis=0).T).sum()))
        self.ways.append(way)
        return way


def _wiggly(
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
    *,
    step_m: float = 250.0,
    wiggle: float = 0.03,
    max_amp_m: float = 600.0,
) -> list[tuple[float, float]]:
    """A gently curving line from a to b with a point every ``step_m`` (ends exact)."""
    length = float(np.hypot(*(b - a)))
    n = max(int(length // step_m), 1)
    t = np.linspace(0.0, 1.0, n + 1)
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    amp = min(wiggle * length, max_amp_m)
    phase = rng.uniform(0, 2 * np.pi, 2)
    offset = (
        amp
        * np.sin(np.pi * t)
        * (0.7 * np.sin(2 * np.pi * t + phase[0]) + 0.3 * np.sin(5 * np.pi * t + phase[1]))
    )
    pts = a[None, :] + t[:, None] * (b - a)[None, :] + offset[:, None] * normal[None, :]
    return [(float(x), float(y)) for x, y in pts]


def _straight(a: np.ndarray, b: np.ndarray, step_m: float = 250.0) -> list[tuple[float, float]]:
    length = float(np.hypot(*(b - a)))
    n = max(int(length // step_m), 1)
    t = np.linspace(0.0, 1.0, n + 1)
    return [(float(x), float(y)) for x, y in a[None, :] + t[:, None] * (b - a)[None, :]]


def _tags(highway: str, name: str) -> dict[str, str]:
    return {"highway": highway, "name": f"{name} (skematik)", "source": "schematic", "note": NOTE}


def _mst_pairs(points: np.ndarray) -> list[tuple[int, int]]:
    d = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    tree = minimum_spanning_tree(d).tocoo()
    return sorted((min(i, j), max(i, j)) for i, j in zip(tree.row.tolist(), tree.col.tolist(), strict=True))


def build_network(boundaries: Boundaries, *, seed: int = 112) -> tuple[Network, Transformer]:
    """Lay out the schematic network in metres (see the module docstring)."""
    rng = np.random.default_rng(seed)
    net = Network()
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    desa = boundaries.desa.to_crs(METRIC_CRS).sort_values("kode").reset_index(drop=True)
    polygons = list(desa.geometry)
    centres = np.array(
        [
            [p.x, p.y]
            for p in (
                poly.centroid if poly.contains(poly.centroid) else poly.representative_point()
                for poly in polygons
            )
        ]
    )
    capitals = kecamatan_capitals(boundaries).to_crs(METRIC_CRS).sort_values("kecamatan_kode")
    index_of = {k: i for i, k in enumerate(desa["kode"])}
    cap_idx = {row.kecamatan_kode: index_of[row.kode] for row in capitals.itertuples()}

    # 1. corridors between kecamatan capitals
    cap_codes = sorted(cap_idx)
    cap_pts = np.array([centres[cap_idx[k]] for k in cap_codes])
    pairs = set(_mst_pairs(cap_pts))
    d = np.hypot(*(cap_pts[:, None, :] - cap_pts[None, :, :]).transpose(2, 0, 1))
    extra = sorted(
        (d[i, j], i, j)
        for i in range(len(cap_codes))
        for j in range(i + 1, len(cap_codes))
        if (i, j) not in pairs
    )
    pairs |= {(i, j) for _, i, j in extra[:4]}
    axis = {
        (min(cap_codes.index(a), cap_codes.index(b)), max(cap_codes.index(a), cap_codes.index(b)))
        for a, b in itertools.pairwise(TRUNK_AXIS)
        if a in cap_codes and b in cap_codes
    }
    pairs |= axis
    for i, j in sorted(pairs):
        highway = "trunk" if (i, j) in axis else "primary"
        name = f"Jalan Lintas {capitals.iloc[i].nama}–{capitals.iloc[j].nama}"
        way = net.add(_wiggly(cap_pts[i], cap_pts[j], rng, wiggle=0.02), _tags(highway, name))
        if way and highway == "trunk":
            way.tags["maxspeed"] = "60"
    # through corridors past the border, towards Pekanbaru and Duri/Dumai
    for code, (lon, lat), label in THROUGH_CORRIDORS:
        if code not in cap_codes:
            continue
        a = cap_pts[cap_codes.index(code)]
        target = np.array(to_m.transform(lon, lat))
        b = a + (target - a) * min(1.0, 25_000 / float(np.hypot(*(target - a))))
        net.add(_wiggly(a, b, rng, wiggle=0.02), _tags("trunk", f"Jalan Lintas menuju {label}"))
    if "14.08.03" in cap_codes and "14.08.10" in cap_codes:
        _toll_road(net, cap_pts[cap_codes.index("14.08.03")], cap_pts[cap_codes.index("14.08.10")])

    # 2. links between neighbouring villages
    tree = shapely.STRtree(polygons)
    neighbours = sorted(
        {
            (min(i, j), max(i, j))
            for i, j in zip(*tree.query(polygons, predicate="intersects"), strict=True)
            if i != j
        }
    )
    n_desa = len(polygons)
    weight = np.zeros((n_desa, n_desa))
    for i, j in neighbours:
        weight[i, j] = float(np.hypot(*(centres[i] - centres[j]))) + 1.0
    links = set(_mst_pairs_sparse(weight))
    others = [p for p in neighbours if p not in links]
    rng.shuffle(others)
    links |= set(others[: int(0.12 * len(others))])
    # villages that touch nobody (digitising gaps): join the nearest centre
    linked = {i for p in links for i in p}
    for i in range(n_desa):
        if i not in linked:
            dist = np.hypot(*(centres - centres[i]).T)
            dist[i] = np.inf
            nearest = int(np.argmin(dist))
            links.add((min(i, nearest), max(i, nearest)))
    capital_set = set(cap_idx.values())
    for i, j in sorted(links):
        length = float(np.hypot(*(centres[i] - centres[j])))
        highway = "secondary" if (i in capital_set or j in capital_set or length > 9000) else "tertiary"
        net.add(
            _wiggly(centres[i], centres[j], rng),
            _tags(highway, f"Jalan {desa.at[i, 'nama']}–{desa.at[j, 'nama']}"),
        )

    # 3. streets, spurs and tracks in every village
    for i, poly in enumerate(polygons):
        _village(
            net,
            rng,
            poly,
            centres[i],
            str(desa.at[i, "nama"]),
            bool(desa.at[i, "kelurahan"]),
            float(desa.at[i, "area_km2"]),
        )
    return net, Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def _toll_road(net: Network, minas: np.ndarray, kandis: np.ndarray) -> None:
    """A stand-in for the Pekanbaru–Dumai toll road, 3 km west of Minas–Kandis, with ramps to both."""
    west = np.array([-3000.0, 0.0])
    toll = [
        minas + west + (minas - kandis) * 0.3,
        minas + west,
        kandis + west,
        kandis + west + (kandis - minas) * 0.3,
    ]
    for a, b in itertools.pairwise(toll):
        way = net.add(_straight(a, b, 500.0), _tags("motorway", "Jalan Tol Pekanbaru–Dumai"))
        if way:
            way.tags["maxspeed"] = "100"
    for town in (minas, kandis):
        net.add(_straight(town, town + west, 250.0), _tags("motorway_link", "Akses Tol"))


def _mst_pairs_sparse(weight: np.ndarray) -> list[tuple[int, int]]:
    tree = minimum_spanning_tree(weight).tocoo()
    return sorted((min(i, j), max(i, j)) for i, j in zip(tree.row.tolist(), tree.col.tolist(), strict=True))


def _village(
    net: Network,
    rng: np.random.Generator,
    poly: BaseGeometry,
    centre: np.ndarray,
    name: str,
    kelurahan: bool,
    area_km2: float,
) -> None:
    inner: BaseGeometry = poly.buffer(-50)
    if inner.is_empty:
        inner = poly
    shapely.prepare(inner)
    # settlement: a street grid through the village centre
    spacing = 110.0 if kelurahan else 160.0
    half = 800.0 if kelurahan else min(300.0 + 10.0 * math.sqrt(area_km2), 450.0)
    k = int(half // spacing)
    angle = rng.uniform(0, np.pi / 2)
    u = np.array([math.cos(angle), math.sin(angle)])
    v = np.array([-u[1], u[0]])
    grid = {
        (a, b): centre + a * spacing * u + b * spacing * v for a in range(-k, k + 1) for b in range(-k, k + 1)
    }
    inside = {key for key, p in grid.items() if inner.contains(Point(p)) or key == (0, 0)}
    street = "residential"
    for direction in ((1, 0), (0, 1)):
        for key in sorted(inside):
            prev = (key[0] - direction[0], key[1] - direction[1])
            if prev in inside:
                continue  # not the start of a run
            run = [key]
            while (run[-1][0] + direction[0], run[-1][1] + direction[1]) in inside:
                run.append((run[-1][0] + direction[0], run[-1][1] + direction[1]))
            if len(run) >= 2:
                # midpoints of every block are nodes too, so driveways can join there
                points: list[tuple[float, float]] = []
                for p, q in itertools.pairwise(run):
                    points += [tuple(grid[p]), tuple((grid[p] + grid[q]) / 2)]
                points.append(tuple(grid[run[-1]]))
                net.add(points, _tags(street, f"Jalan {name}"))
    # service spurs: driveways and yards off the streets
    spurs = int(len(inside) * (3.0 if kelurahan else 2.8))
    keys = sorted(inside)
    for _ in range(spurs):
        a = keys[int(rng.integers(len(keys)))]
        b_dir = [(1, 0), (-1, 0), (0, 1), (0, -1)][int(rng.integers(4))]
        base = grid[a] + (b_dir[0] * u + b_dir[1] * v) * spacing * 0.5
        if (a[0] + b_dir[0], a[1] + b_dir[1]) not in inside:
            continue
        side = v if b_dir[0] else u
        tip = base + side * rng.uniform(30, 80) * (1 if rng.random() < 0.5 else -1)
        if inner.contains(Point(tip)):
            net.add([tuple(base), tuple(tip)], {**_tags("service", "Jalan Masuk"), "service": "driveway"})
    # plantation tracks in larger rural villages: a block of estate roads beside the settlement
    if not kelurahan and area_km2 > 40:
        tspacing = 1500.0
        origin = centre + u * (half + 1000.0)
        pts = {
            (a, b): origin + a * tspacing * u + (b - 0.5) * tspacing * v for a in range(3) for b in range(2)
        }
        ok = {key for key, p in pts.items() if inner.contains(Point(p))}
        for direction in ((1, 0), (0, 1)):
            for key in sorted(ok):
                nxt = (key[0] + direction[0], key[1] + direction[1])
                if nxt in ok:
                    net.add(_straight(pts[key], pts[nxt], 300.0), _tags("track", f"Jalan Kebun {name}"))
        if ok:
            nearest = min(sorted(ok), key=lambda key: float(np.hypot(*(pts[key] - centre))))
            net.add(_straight(pts[nearest], centre, 300.0), _tags("unclassified", f"Jalan Kebun {name}"))
