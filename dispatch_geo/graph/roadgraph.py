"""The routing-ready road graph: compact CSR arrays plus metadata.

networkx is convenient to build and inspect a graph but slow to load and to route on. Everything
after the build works on :class:`RoadGraph`: nodes are numbered ``0..n-1``, directed edges are
sorted by their tail node so that ``indptr[u]:indptr[u+1]`` are the edges leaving ``u`` (CSR), and
every edge keeps its polyline (for snapping and drawing routes), length, speed and travel time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCHEMATIC_LABEL = (
    "SKEMATIK / SCHEMATIC: not real roads — an offline stand-in generated from village boundaries"
)
OSM_ATTRIBUTION = "Road data © OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class GraphMeta:
    """Where a graph came from and how it was built; stored beside the arrays."""

    source: str
    source_kind: str
    osm_timestamp: str | None
    osm_timestamp_source: str
    built_at: str
    profile_name: str
    profile_hash: str
    schematic: bool
    network_filter: str
    n_nodes: int
    n_edges: int
    total_length_km: float
    dropped_nodes: int = 0
    dropped_edges: int = 0
    ways_read: int | None = None
    ways_kept: int | None = None
    osmnx_version: str = ""
    format_version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The line every product built on this graph must show."""
        return SCHEMATIC_LABEL if self.schematic else OSM_ATTRIBUTION

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["label"] = self.label
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphMeta:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph in CSR form.

    Attributes
    ----------
    node_osmid, node_lon, node_lat
        Per node (index ``0..n-1``): OSM id and WGS84 position.
    indptr
        ``n + 1`` offsets: edges ``indptr[u]:indptr[u+1]`` leave node ``u``.
    tail, head
        Per edge: node indices (``tail`` is implied by ``indptr`` and kept for vectorised work).
    length_m, travel_time_s, speed_kph
        Per edge.
    highway, surface
        Per edge: index into ``highway_names`` / ``surface_names`` (``""`` = untagged).
    twin
        Per edge: index of the edge that runs the same road the other way, or -1 (one-way).
    geom_offsets, geom_lon, geom_lat
        Edge ``e``'s polyline is ``geom_lon[geom_offsets[e]:geom_offsets[e+1]]`` (same for lat),
        from tail to head, endpoints included.
    """

    meta: GraphMeta
    node_osmid: IntArray
    node_lon: FloatArray
    node_lat: FloatArray
    indptr: IntArray
    tail: IntArray
    head: IntArray
    length_m: FloatArray
    travel_time_s: FloatArray
    speed_kph: FloatArray
    highway: IntArray
    surface: IntArray
    highway_names: tuple[str, ...]
    surface_names: tuple[str, ...]
    twin: IntArray
    geom_offsets: IntArray
    geom_lon: FloatArray
    geom_lat: FloatArray

    @property
    def n_nodes(self) -> int:
        return int(self.node_osmid.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.head.shape[0])

    def edge_coords(self, edge: int) -> FloatArray:
        """The ``(k, 2)`` array of ``[lon, lat]`` along one edge, tail to head."""
        start, stop = int(self.geom_offsets[edge]), int(self.geom_offsets[edge + 1])
        return np.column_stack((self.geom_lon[start:stop], self.geom_lat[start:stop]))

    def weight_matrix(self, weight: str = "travel_time_s", *, reverse: bool = False) -> sp.csr_matrix:
        """A scipy CSR matrix of ``weight`` (parallel edges keep their minimum; infinite ones are left out).

        ``reverse=True`` gives the transposed graph (edges point backwards), for one-to-all searches
        *towards* a target, such as every unit's travel time to one incident.
        """
        values = np.asarray(getattr(self, weight), dtype=np.float64)
        rows, cols = (self.head, self.tail) if reverse else (self.tail, self.head)
        order = np.lexsort((values, cols, rows))
        rows, cols, values = rows[order], cols[order], values[order]
        keep = np.ones(rows.shape[0], dtype=bool)
        keep[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        keep &= np.isfinite(values)  # an infinite weight (a closed road) is no edge at all
        # csgraph treats explicit zeros as missing edges; a zero-length edge still connects.
        vals = np.maximum(values[keep], 1e-9)
        return sp.csr_matrix((vals, (rows[keep], cols[keep])), shape=(self.n_nodes, self.n_nodes))

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every array, by attribute name (what the cache stores)."""
        return {
            name: getattr(self, name)
            for name in (
                "node_osmid",
                "node_lon",
                "node_lat",
                "indptr",
                "tail",
                "head",
                "length_m",
                "travel_time_s",
                "speed_kph",
                "highway",
                "surface",
                "twin",
                "geom_offsets",
                "geom_lon",
                "geom_lat",
            )
        }
