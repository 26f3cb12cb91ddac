"""Laying out the schematic network in metres: corridors between capitals, links between villages,
then each village's local roads (:mod:`dispatch_geo.graph.schematic_village`).

See :mod:`dispatch_geo.graph.schematic` for what the network is and how it is labelled.
"""

from __future__ import annotations

import itertools
import logging

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dispatch_geo.boundaries import METRIC_CRS, Boundaries, kecamatan_capitals
from dispatch_geo.graph.schematic_network import Network, mst_pairs, road_tags, straight, wiggly
from dispatch_geo.graph.schematic_village import Village, add_village_roads
from dispatch_geo.seats import load_kecamatan_seats

log = logging.getLogger(__name__)

TRUNK_AXIS = ("14.08.01", "14.08.04", "14.08.03", "14.08.10")  # Siak, Tualang, Minas, Kandis
PEKANBARU = (101.447, 0.507)
DURI = (101.21, 1.27)
THROUGH_CORRIDORS = (
    ("14.08.03", PEKANBARU, "Pekanbaru"),  # Minas
    ("14.08.04", PEKANBARU, "Pekanbaru"),  # Tualang (Perawang)
    ("14.08.10", DURI, "Duri"),  # Kandis
)
THROUGH_CORRIDOR_M = 25_000.0
"""How far a through corridor runs from its capital towards Pekanbaru or Duri (it ends past the border)."""
GRADE_SEPARATED = frozenset({"motorway"})
"""Classes that cross other roads on bridges (no junction); their ramps do join the roads they meet."""
EXTRA_CORRIDORS = 4
"""Shortest capital pairs added to the spanning tree of corridors, so the main network has loops."""
EXTRA_LINK_SHARE = 0.12
"""Share of the neighbouring-village pairs beyond the spanning tree that get a link road too."""
HUBS_AT_SEAT = ("14.08.01",)  # Siak
"""Kecamatan whose corridor hub is its seat from ``data/siak_kecamatan_seats.csv``; the others use the
geometric rule of :func:`~dispatch_geo.boundaries.kecamatan_capitals`. A layout parameter, frozen because
the shipped ``data/siak_schematic.osm.bz2`` was laid out this way (pinning the other seats would move the
hubs of Sungai Mandau, Koto Gasib, Kandis and Sabak Auh and change the file)."""


def build_network(boundaries: Boundaries, *, seed: int = 112) -> tuple[Network, Transformer]:
    """Lay out the schematic network in metres (see :mod:`dispatch_geo.graph.schematic`).

    Returns the network (UTM 47N metres, :data:`dispatch_geo.boundaries.METRIC_CRS`) and the
    transformer back to WGS84 lon/lat.
    """
    rng = np.random.default_rng(seed)
    net = Network()
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
    seats = {
        s.kecamatan_kode: s.seat_desa_kode for s in load_kecamatan_seats() if s.kecamatan_kode in HUBS_AT_SEAT
    }
    capitals = (
        kecamatan_capitals(boundaries, seats=seats).sort_values("kecamatan_kode").reset_index(drop=True)
    )
    index_of = {k: i for i, k in enumerate(desa["kode"])}
    cap_idx = {row.kecamatan_kode: index_of[row.kode] for row in capitals.itertuples()}
    cap_names = {row.kecamatan_kode: str(row.nama) for row in capitals.itertuples()}

    _corridors(net, rng, {k: centres[i] for k, i in cap_idx.items()}, cap_names)
    _village_links(net, rng, desa, polygons, centres, set(cap_idx.values()))
    for i, poly in enumerate(polygons):
        village = Village(
            name=str(desa.at[i, "nama"]),
            polygon=poly,
            centre=centres[i],
            kelurahan=bool(desa.at[i, "kelurahan"]),
            area_km2=float(desa.at[i, "area_km2"]),
        )
        add_village_roads(net, rng, village)
    crossings = net.node_crossings(grade_separated=GRADE_SEPARATED)
    reverted = net.drop_stranding_oneways()
    log.debug("%d crossings noded", crossings)
    log.debug("%d one-way streets made two-way again to keep the graph strongly connected", reverted)
    return net, Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def _corridors(
    net: Network, rng: np.random.Generator, capitals: dict[str, np.ndarray], names: dict[str, str]
) -> None:
    """Trunk along the main axis, primary on a spanning tree of the capitals plus a few loops,
    through corridors past the border, and the toll-road stand-in."""
    codes = sorted(capitals)
    pts = np.array([capitals[k] for k in codes])
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    pairs = set(mst_pairs(d))
    extra = sorted(
        (d[i, j], i, j) for i, j in itertools.combinations(range(len(codes)), 2) if (i, j) not in pairs
    )
    pairs |= {(i, j) for _, i, j in extra[:EXTRA_CORRIDORS]}
    axis = {
        (min(codes.index(a), codes.index(b)), max(codes.index(a), codes.index(b)))
        for a, b in itertools.pairwise(TRUNK_AXIS)
        if a in codes and b in codes
    }
    pairs |= axis
    for n, (i, j) in enumerate(sorted(pairs)):
        highway = "trunk" if (i, j) in axis else "primary"
        name = f"Jalan Lintas {names[codes[i]]}–{names[codes[j]]}"
        way = net.add(wiggly(pts[i], pts[j], rng, wiggle=0.02), road_tags(highway, name))
        if way and highway == "trunk":
            way.tags["maxspeed"] = "60"
        elif way and n % 3 == 0:
            way.tags["maxspeed"] = "50 km/h"  # real OSM carries both forms
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    for code, (lon, lat), label in THROUGH_CORRIDORS:
        if code not in capitals:
            continue
        a = capitals[code]
        target = np.array(to_m.transform(lon, lat))
        b = a + (target - a) * min(1.0, THROUGH_CORRIDOR_M / float(np.hypot(*(target - a))))
        way = net.add(wiggly(a, b, rng, wiggle=0.02), road_tags("trunk", f"Jalan Lintas menuju {label}"))
        if way:
            way.tags["maxspeed"] = "60 km/h"
    if "14.08.03" in capitals and "14.08.10" in capitals:
        _toll_road(net, capitals["14.08.03"], capitals["14.08.10"])


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
        way = net.add(straight(a, b, 500.0), road_tags("motorway", "Jalan Tol Pekanbaru–Dumai"))
        if way:
            way.tags["maxspeed"] = "100"
    for town in (minas, kandis):
        net.add(straight(town, town + west, 250.0), road_tags("motorway_link", "Akses Tol"))


def _village_links(
    net: Network,
    rng: np.random.Generator,
    desa: gpd.GeoDataFrame,
    polygons: list[shapely.Geometry],
    centres: np.ndarray,
    capital_rows: set[int],
) -> None:
    """Secondary/tertiary roads between the centres of neighbouring villages (shared borders): a
    spanning tree of the adjacency plus :data:`EXTRA_LINK_SHARE` of the other pairs."""
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
    links = set(mst_pairs(weight))
    others = [p for p in neighbours if p not in links]
    rng.shuffle(others)
    links |= set(others[: int(EXTRA_LINK_SHARE * len(others))])
    # villages that touch nobody (digitising gaps), and islands of villages: join the nearest centre
    # outside their group until everything hangs together
    groups = _groups(n_desa, links)
    while len(set(groups)) > 1:
        members = [i for i in range(n_desa) if groups[i] == groups[0]]
        outside = [i for i in range(n_desa) if groups[i] != groups[0]]
        dist = np.hypot(*(centres[members][:, None, :] - centres[outside][None, :, :]).transpose(2, 0, 1))
        a, b = np.unravel_index(int(np.argmin(dist)), dist.shape)
        links.add((min(members[a], outside[b]), max(members[a], outside[b])))
        groups = _groups(n_desa, links)
    names = desa["nama"]
    kelurahan = desa["kelurahan"]
    for i, j in sorted(links):
        length = float(np.hypot(*(centres[i] - centres[j])))
        major = i in capital_rows or j in capital_rows or length > 9000
        way = net.add(
            wiggly(centres[i], centres[j], rng),
            road_tags("secondary" if major else "tertiary", f"Jalan {names[i]}–{names[j]}"),
        )
        if way and kelurahan[i] and kelurahan[j]:
            way.tags["maxspeed"] = "ID:urban"  # an implicit limit, as Indonesian mappers write it
        elif way and major and (kelurahan[i] or kelurahan[j]):
            way.tags["maxspeed"] = "40 km/h"


def _groups(n: int, pairs: set[tuple[int, int]]) -> list[int]:
    """Connected-component label of each of ``n`` items joined by ``pairs``."""
    rows = [i for i, _ in pairs]
    cols = [j for _, j in pairs]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return [int(x) for x in labels]
