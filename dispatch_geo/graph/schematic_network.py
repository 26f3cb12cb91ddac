"""The schematic network under construction, in metres: shared junction nodes, ways, line shapes.

See :mod:`dispatch_geo.graph.schematic` for what the network is and how it is labelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

NOTE = "SCHEMATIC stand-in, not a real road"
"""The ``note`` tag on every generated way."""

Point2 = tuple[float, float]


@dataclass
class Way:
    """One OSM way: node ids (1-based, into :attr:`Network.xy`), tags and its length in metres."""

    refs: list[int]
    tags: dict[str, str]
    length_m: float


class Network:
    """Nodes keyed by their position rounded to the metre, so touching roads share junctions."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], int] = {}
        self.xy: list[Point2] = []
        self.ways: list[Way] = []

    def node(self, x: float, y: float) -> int:
        """The id of the node at (x, y) rounded to the metre, created on first use."""
        key = (round(x), round(y))
        found = self.nodes.get(key)
        if found is None:
            found = len(self.xy) + 1
            self.nodes[key] = found
            self.xy.append((float(key[0]), float(key[1])))
        return found

    def add(self, points: Iterable[Point2], tags: dict[str, str]) -> Way | None:
        """Add a way through ``points`` (repeated nodes dropped); None when it collapses to one node."""
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

    def node_crossings(self, *, grade_separated: frozenset[str] = frozenset()) -> int:
        """Put a shared junction node wherever two ways cross, as at-grade crossings are in OSM.

        Ways whose ``highway`` is in ``grade_separated`` (the toll road) cross others on bridges and
        are left alone. Returns the number of crossings noded.
        """
        owners: list[tuple[int, int]] = []  # (way index, segment index)
        for wi, way in enumerate(self.ways):
            if way.tags["highway"] not in grade_separated:
                owners += [(wi, si) for si in range(len(way.refs) - 1)]
        if not owners:
            return 0
        xy = np.array(self.xy)
        ends = np.array(
            [[self.ways[wi].refs[si], self.ways[wi].refs[si + 1]] for wi, si in owners], dtype=np.int64
        )
        segments = np.asarray(shapely.linestrings(xy[ends - 1]), dtype=object)
        left, right = shapely.STRtree(segments).query(segments, predicate="intersects")
        pick = left < right
        left, right = left[pick], right[pick]
        # segments that already meet at a node are joined
        shares = (ends[left][:, :, None] == ends[right][:, None, :]).any(axis=(1, 2))
        left, right = left[~shares], right[~shares]
        inserts: dict[tuple[int, int], list[tuple[float, int]]] = {}
        crossings = 0
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            where = shapely.intersection(segments[a], segments[b])
            if not isinstance(where, shapely.Point):
                continue  # overlapping collinear pieces: leave them
            node = self.node(where.x, where.y)
            crossings += 1
            for s in (a, b):
                start = xy[ends[s][0] - 1]
                along_m = float(np.hypot(where.x - start[0], where.y - start[1]))
                inserts.setdefault(owners[s], []).append((along_m, node))
        for wi in sorted({wi for wi, _ in inserts}):
            way = self.ways[wi]
            refs = [way.refs[0]]
            for si in range(len(way.refs) - 1):
                for _, node in sorted(inserts.get((wi, si), [])):
                    refs.append(node)
                refs.append(way.refs[si + 1])
            way.refs = [r for i, r in enumerate(refs) if i == 0 or r != refs[i - 1]]
        return crossings

    def drop_stranding_oneways(self) -> int:
        """Make two-way again every ``oneway`` way that touches a node outside the largest strongly
        connected component, until none does; returns how many were reverted.

        Between two strongly connected components only one-way edges can run, so every stranded
        component touches a one-way way and the loop ends with the network strongly connected
        (given it is connected as an undirected graph).
        """
        reverted = 0
        used = np.unique(np.fromiter((r for w in self.ways for r in w.refs), dtype=np.int64))
        size = len(self.xy) + 1
        while True:
            tails: list[int] = []
            heads: list[int] = []
            for way in self.ways:
                tails += way.refs[:-1]
                heads += way.refs[1:]
                if way.tags.get("oneway") != "yes":
                    tails += way.refs[1:]
                    heads += way.refs[:-1]
            graph = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(size, size)).tocsr()
            _, labels = connected_components(graph, directed=True, connection="strong")
            main = int(np.bincount(labels[used]).argmax())
            stranding = [
                way for way in self.ways if "oneway" in way.tags and any(labels[r] != main for r in way.refs)
            ]
            if not stranding:
                return reverted
            for way in stranding:
                del way.tags["oneway"]
            reverted += len(stranding)


def wiggly(
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
    *,
    step_m: float = 250.0,
    wiggle: float = 0.03,
    max_amp_m: float = 600.0,
) -> list[Point2]:
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


def straight(a: np.ndarray, b: np.ndarray, step_m: float = 250.0) -> list[Point2]:
    """A straight line from a to b with a point every ``step_m`` (ends exact)."""
    length = float(np.hypot(*(b - a)))
    n = max(int(length // step_m), 1)
    t = np.linspace(0.0, 1.0, n + 1)
    return [(float(x), float(y)) for x, y in a[None, :] + t[:, None] * (b - a)[None, :]]


def road_tags(highway: str, name: str) -> dict[str, str]:
    """The tags every schematic way starts with: class, a name marked ``(skematik)``, the markers."""
    return {"highway": highway, "name": f"{name} (skematik)", "source": "schematic", "note": NOTE}


def mst_pairs(weight: np.ndarray) -> list[tuple[int, int]]:
    """Index pairs (i < j) of a minimum spanning tree (forest) of a weight matrix; 0 = no edge."""
    tree = minimum_spanning_tree(weight).tocoo()
    return sorted((min(i, j), max(i, j)) for i, j in zip(tree.row.tolist(), tree.col.tolist(), strict=True))
