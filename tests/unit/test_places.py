"""Settlement cores, the seats file, and the fallback for a desa without road nodes (pure, no database)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from dispatch_geo.boundaries import Boundaries, kecamatan_capitals, load_boundaries
from dispatch_geo.dispatch.locate import locate_incident
from dispatch_geo.errors import InputError
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.places import PlaceIndex, ResolvedBy, UnknownPlaceError, settlement_cores
from dispatch_geo.seats import check_seats_cover, load_kecamatan_seats, parse_kecamatan_seats
from tests.unit.coverage_graphs import make_road

HEADER = "kecamatan_kode,kecamatan_nama,seat_desa_kode,seat_desa_nama,confirmed,source,note\n"


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries()


@pytest.fixture(scope="module")
def gazetteer(boundaries: Boundaries) -> Gazetteer:
    return Gazetteer.from_boundaries(boundaries)


# ------------------------------------------------------------------------------------ settlement cores


def test_the_core_is_in_the_dense_cluster_not_among_scattered_nodes() -> None:
    town = np.array([[1000.0 + 50 * i, 1000.0 + 50 * j] for i in range(4) for j in range(4)])
    farms = np.array([[3000.0, 3000.0], [5000.0, 500.0], [8000.0, 9000.0], [500.0, 9500.0]])
    nodes = np.vstack((farms, town))
    outside = np.array([[20_000.0, 20_000.0]] * 50)  # a denser cluster in another polygon does not count
    core, count = settlement_cores(np.vstack((nodes, outside)), [shapely.box(0, 0, 10_000, 10_000)])
    assert 4 <= core[0] < 4 + len(town)
    assert count[0] == len(town)


def test_tied_nodes_give_the_middle_one_and_an_empty_polygon_has_no_core() -> None:
    street = np.array([[100.0 * i, 0.0] for i in range(5)])  # all within 500 m of each other
    core, count = settlement_cores(street, [shapely.box(-1, -1, 401, 1), shapely.box(900, 900, 1000, 1000)])
    assert core.tolist() == [2, -1]
    assert count.tolist() == [5, 0]


# --------------------------------------------------------------------------------------------- seats


def test_the_shipped_seats_cover_every_kecamatan_with_five_confirmed(boundaries: Boundaries) -> None:
    seats = load_kecamatan_seats()
    check_seats_cover(seats, kecamatan_kode=boundaries.kecamatan["kode"], desa_kode=boundaries.desa["kode"])
    assert len(seats) == 14
    confirmed = {s.kecamatan_nama: s.seat_desa_nama for s in seats if s.confirmed}
    assert confirmed == {
        "Siak": "Kampung Dalam",
        "Minas": "Minas Jaya",
        "Sungai Mandau": "Muara Kelantan",
        "Kandis": "Telaga Sam-Sam",
        "Kerinci Kanan": "Kerinci Kanan",
    }
    desa_names = dict(zip(boundaries.desa["kode"], boundaries.desa["nama"], strict=True))
    assert all(desa_names[s.seat_desa_kode] == s.seat_desa_nama for s in seats)
    capitals = kecamatan_capitals(boundaries, seats={s.kecamatan_kode: s.seat_desa_kode for s in seats})
    assert set(capitals["rule"]) == {"known seat"}


def test_every_problem_of_a_seats_file_is_listed_with_its_line() -> None:
    text = HEADER + (
        "14.08.01,Siak,14.08.01.1001,Kampung Dalam,yes,Wikipedia,\n"
        "14.08.01,Siak,14.08.01.1002,Kampung Rempak,yes,Wikipedia,\n"
        "14.08.2,Sungai Apit,14.08.03.1001,Minas Jaya,maybe,,\n"
    )
    with pytest.raises(InputError) as info:
        parse_kecamatan_seats(text)
    message = str(info.value)
    assert "4 problem(s)" in message
    assert "line 3: kecamatan 14.08.01 already has a seat on line 2" in message
    assert "line 4: kecamatan_kode '14.08.2'" in message
    assert "line 4: confirmed 'maybe' is not yes or no" in message
    assert "line 4: source is empty" in message
    with pytest.raises(InputError, match="lacks column"):
        parse_kecamatan_seats("kecamatan_kode,seat_desa_kode\n14.08.01,14.08.01.1001\n")
    with pytest.raises(InputError, match=r"is not in kecamatan 14\.08\.02"):
        parse_kecamatan_seats(HEADER + "14.08.02,Sungai Apit,14.08.03.1001,Minas Jaya,no,x,\n")


def test_a_kecamatan_without_a_seat_stops_the_build(gazetteer: Gazetteer) -> None:
    seats = [s for s in load_kecamatan_seats() if s.kecamatan_nama != "Pusako"]
    road = make_road({1: (102.0, 0.8), 2: (102.01, 0.8)}, [(1, 2, 60.0)])
    with pytest.raises(InputError, match=r"kecamatan without a seat: 14\.08\.14"):
        PlaceIndex.build(road=road, gazetteer=gazetteer, snapper=EdgeSnapper(road), seats=seats)


# ------------------------------------------------------------------------------------------ fallback


def test_a_desa_without_road_nodes_resolves_onto_the_road_through_it(
    boundaries: Boundaries, gazetteer: Gazetteer
) -> None:
    kampung_dalam = boundaries.desa.set_index("nama").geometry["Kampung Dalam"]
    west, _, east, _ = kampung_dalam.bounds
    lat = kampung_dalam.representative_point().y
    # one straight road across Kampung Dalam, its two nodes outside it; nothing near Sungai Apit
    road = make_road({1: (west - 0.005, lat), 2: (east + 0.005, lat)}, [(1, 2, 120.0)])
    places = PlaceIndex.build(
        road=road, gazetteer=gazetteer, snapper=EdgeSnapper(road), seats=load_kecamatan_seats()
    )

    crossed = places.get("14.08.01.1001")
    assert crossed.resolved_by is ResolvedBy.REPRESENTATIVE_POINT
    assert crossed.nodes_within_radius == 0
    assert crossed.road_distance_m < 1.0
    assert gazetteer.locate(crossed.point).desa_nama == "Kampung Dalam", "on the road inside the desa"
    assert crossed.point.lat == pytest.approx(lat, abs=1e-5)

    assert crossed.desa_distance_m == 0

    far = places.get("14.08.02.1001")  # Sungai Apit, 40 km away: the nearest road anywhere
    assert far.resolved_by is ResolvedBy.REPRESENTATIVE_POINT
    assert far.road_distance_m < 1.0
    assert far.desa_distance_m > 30_000
    # the incident still belongs to the desa the dispatcher chose, marked as outside it
    where = locate_incident(gazetteer, location=None, place=None, place_kode=far.kode, places=places)
    assert where.point == far.point
    assert (where.location.desa_nama, where.location.inside) == ("Sungai Apit", False)
    assert where.location.distance_m == far.desa_distance_m
    siak = places.get("14.08.01")
    assert siak.resolved_by is ResolvedBy.SEAT
    assert siak.point == crossed.point


def test_an_unknown_kode_names_itself(gazetteer: Gazetteer) -> None:
    road = make_road({1: (102.0, 0.8), 2: (102.01, 0.8)}, [(1, 2, 60.0)])
    places = PlaceIndex.build(
        road=road, gazetteer=gazetteer, snapper=EdgeSnapper(road), seats=load_kecamatan_seats()
    )
    assert len(places) == 14 + 131
    with pytest.raises(UnknownPlaceError, match=r"place_kode '14\.08\.99' is not a desa or kecamatan"):
        places.get("14.08.99")
