"""Where the people are: BPS kecamatan population spread to desa and then to road nodes.

BPS publishes population per kecamatan only (2022). It is spread in two steps:

1. **Kecamatan → desa**, by ``method``:

   ``"area"``
       proportional to the desa's area. Over-weights large plantation/forest desa.
   ``"road_length"``
       proportional to the road length inside the desa (roads follow settlement). A desa without a
       mapped road gets no one — exactly the villages a gap analysis must not hide.
   ``"blend"`` (default)
       ``road_weight × road share + (1 − road_weight) × area share`` (``road_weight`` 0.5): every desa
       keeps some population, settled desa get more.

   When no desa of a kecamatan has a road, the road share falls back to the area share.
2. **Desa → road nodes**: each node inside the desa polygon gets a share proportional to the road
   length around it (half of every road touching it, each road counted once whichever way it is
   driven). A desa with no node inside puts its whole population on the node nearest its interior
   point (``fallback`` = True; the walk from there is not counted).

Limits: no building or census-block data is used; on the schematic graph the road length is generated,
so the road share says little; populations are BPS 2022, not the 2025 figure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DemandMethod = Literal["blend", "area", "road_length"]
DEMAND_METHODS: tuple[str, ...] = ("blend", "area", "road_length")


@dataclass(frozen=True)
class Demand:
    """Population placed on the road network.

    ``desa`` has one row per desa (positionally indexed): ``kode``, ``nama``, ``kecamatan_kode``,
    ``kecamatan_nama``, ``area_km2``, ``road_km``, ``population``, ``n_nodes``, ``centre_node`` (the
    demand node nearest the desa's population-weighted centre), ``fallback`` and ``geometry``.
    ``node``/``population``/``desa_row`` describe every demand point: a road node, the people placed
    on it and the row of its desa (a node may appear twice only for fallback desa).
    """

    desa: gpd.GeoDataFrame
    node: IntArray
    population: FloatArray
    desa_row: IntArray
    method: str

    @property
    def total_population(self) -> float:
        return float(self.population.sum())


def node_road_length_m(road: RoadGraph) -> FloatArray:
    """Half the length of every road touching each node; a two-way road counts once."""
    edges = np.arange(road.n_edges)
    once = (road.twin < 0) | (road.twin > edges)
    half = road.length_m[once] / 2.0
    weight = np.bincount(road.tail[once], weights=half, minlength=road.n_nodes)
    weight += np.bincount(road.head[once], weights=half, minlength=road.n_nodes)
    return np.asarray(weight, dtype=np.float64)


def allocate_demand(
    road: RoadGraph,
    desa: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    *,
    method: str = "blend",
    road_weight: float = 0.5,
    population_column: str = "population_bps_2022",
) -> Demand:
    """Spread kecamatan population to desa and road nodes (see the module docstring).

    Parameters
    ----------
    road
        The road graph.
    desa
        Desa polygons (EPSG:4326) with ``kode``, ``nama``, ``parent_kode`` (kecamatan code).
    kecamatan
        Kecamatan rows with ``kode``, ``nama`` and ``population_column``.
    method
        ``"blend"``, ``"area"`` or ``"road_length"``.
    road_weight
        Weight of the road share in ``"blend"`` (0..1).
    """
    problems = []
    if method not in DEMAND_METHODS:
        problems.append(f"method {method!r} is not one of {', '.join(DEMAND_METHODS)}")
    if not 0.0 <= road_weight <= 1.0:
        problems.append(f"road_weight must be within [0, 1], got {road_weight}")
    for column in ("kode", "nama", "parent_kode", "geometry"):
        if column not in desa.columns:
            problems.append(f"desa frame lacks column {column!r}")
    for column in ("kode", "nama", population_column):
        if column not in kecamatan.columns:
            problems.append(f"kecamatan frame lacks column {column!r}")
    if problems:
        raise InputError("cannot allocate demand: " + "; ".join(problems))
    kec = kecamatan.set_index("kode")
    unknown = sorted(set(desa["parent_kode"]) - set(kec.index))
    if unknown:
        raise InputError(f"desa refer to unknown kecamatan {', '.join(map(str, unknown))}")

    frame = gpd.GeoDataFrame(desa[["kode", "nama", "parent_kode", "geometry"]].copy(), crs=desa.crs)
    frame = frame.to_crs("EPSG:4326").reset_index(drop=True)
    frame = frame.rename(columns={"parent_kode": "kecamatan_kode"})
    frame["kecamatan_nama"] = [str(kec.at[k, "nama"]) for k in frame["kecamatan_kode"]]
    frame["area_km2"] = frame.to_crs(METRIC_CRS).area.to_numpy() / 1e6

    # nodes inside each desa, with the road length around them
    node_len = node_road_length_m(road)
    points = shapely.points(road.node_lon, road.node_lat)
    tree = shapely.STRtree(np.asarray(frame.geometry.to_numpy()))
    pt_idx, poly_idx = tree.query(points, predicate="within")
    node_desa = np.full(road.n_nodes, -1, dtype=np.int64)
    node_desa[pt_idx[::-1]] = poly_idx[::-1]  # first polygon wins for a point on a shared border
    inside = np.flatnonzero(node_desa >= 0)
    road_m = np.bincount(node_desa[inside], weights=node_len[inside], minlength=len(frame))
    frame["road_km"] = road_m / 1000.0

    frame["population"] = _desa_population(frame, kec[population_column], method, road_weight)

    nodes: list[IntArray] = []
    pops: list[FloatArray] = []
    rows: list[IntArray] = []
    centre = np.full(len(frame), -1, dtype=np.int64)
    n_nodes = np.zeros(len(frame), dtype=np.int64)
    fallback = np.zeros(len(frame), dtype=bool)
    order = np.argsort(node_desa[inside], kind="stable")
    by_desa = np.split(inside[order], np.cumsum(np.bincount(node_desa[inside], minlength=len(frame)))[:-1])
    for i, members in enumerate(by_desa):
        population = float(frame.at[i, "population"])
        if members.size == 0:
            members = np.array([_nearest_node(road, frame.geometry.iloc[i].representative_point())])
            fallback[i] = True
        w = node_len[members]
        share = w / w.sum() if w.sum() > 0 else np.full(members.size, 1.0 / members.size)
        nodes.append(members)
        pops.append(population * share)
        rows.append(np.full(members.size, i, dtype=np.int64))
        n_nodes[i] = 0 if fallback[i] else members.size
        centre[i] = _centre_node(road, members, share)
    frame["n_nodes"] = n_nodes
    frame["centre_node"] = centre
    frame["fallback"] = fallback
    if fallback.any():
        log.info(
            "%d desa have no road node inside; their population sits on the nearest node", fallback.sum()
        )
    columns = ["kode", "nama", "kecamatan_kode", "kecamatan_nama", "area_km2", "road_km", "population"]
    frame = frame[[*columns, "n_nodes", "centre_node", "fallback", "geometry"]]
    return Demand(
        desa=gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"),
        node=np.concatenate(nodes) if nodes else np.zeros(0, dtype=np.int64),
        population=np.concatenate(pops) if pops else np.zeros(0),
        desa_row=np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        method=method,
    )


def _desa_population(frame: pd.DataFrame, kec_pop: pd.Series, method: str, road_weight: float) -> FloatArray:
    out = np.zeros(len(frame))
    for kode, members in frame.groupby("kecamatan_kode").groups.items():
        idx = np.asarray([frame.index.get_loc(m) for m in members])
        area = frame["area_km2"].to_numpy()[idx]
        road_m = frame["road_km"].to_numpy()[idx]
        area_share = area / area.sum() if area.sum() > 0 else np.full(idx.size, 1.0 / idx.size)
        road_share = road_m / road_m.sum() if road_m.sum() > 0 else area_share
        if method == "area":
            share = area_share
        elif method == "road_length":
            share = road_share
        else:
            share = road_weight * road_share + (1.0 - road_weight) * area_share
        out[idx] = float(kec_pop.loc[str(kode)]) * share
    return out


def _nearest_node(road: RoadGraph, point: shapely.Point) -> int:
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = to_m.transform(road.node_lon, road.node_lat)
    px, py = to_m.transform(point.x, point.y)
    return int(np.argmin((np.asarray(x) - px) ** 2 + (np.asarray(y) - py) ** 2))


def _centre_node(road: RoadGraph, members: IntArray, share: FloatArray) -> int:
    lon = float(np.sum(road.node_lon[members] * share))
    lat = float(np.sum(road.node_lat[members] * share))
    d2 = (road.node_lon[members] - lon) ** 2 + (road.node_lat[members] - lat) ** 2
    return int(members[int(np.argmin(d2))])
