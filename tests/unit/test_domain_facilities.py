"""Facilities CSV and the kind of a fleet station: pure, no database."""

from __future__ import annotations

import pytest

from dispatch_geo.domain.facilities import (
    KIND_OF_AGENCY,
    TREATS_PATIENTS,
    FacilityKind,
    facility_from_station,
    load_facilities_csv,
    parse_facilities_csv,
)
from dispatch_geo.domain.units import Agency, Station
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from siaga.settings import DATA_DIR


def test_every_agency_has_a_kind_and_only_hospitals_and_puskesmas_take_patients() -> None:
    assert set(KIND_OF_AGENCY) == set(Agency)
    assert KIND_OF_AGENCY[Agency.PSC_119] is FacilityKind.PSC_POST
    assert {FacilityKind.HOSPITAL, FacilityKind.PUSKESMAS} == TREATS_PATIENTS
    station = Station(
        id="rsud-tengku-rafian",
        name="RSUD Tengku Rafian",
        agency=Agency.RSUD,
        location=LonLat(102.05, 0.80),
        approximate=True,
        note="centroid",
    )
    facility = facility_from_station(station)
    assert facility.kind is FacilityKind.HOSPITAL
    assert facility.approximate is True
    assert facility.source


def test_the_shipped_hospital_points_load_and_are_approximate() -> None:
    facilities = load_facilities_csv(DATA_DIR / "siak_facilities_extra.csv")
    assert {f.id: f.location for f in facilities} == {
        "rsud-tengku-rafian": LonLat(102.04789, 0.80018),
        "rsud-perawang": LonLat(101.57226, 0.68802),
    }
    assert all(f.approximate and f.kind is FacilityKind.HOSPITAL and f.source for f in facilities)


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        "id,name,kind,lon,lat,approximate,source,active\n"
        "ok-1,Ok,puskesmas,101.9,0.7,false,survey,\n"
        "Bad,,clinic,x,0.7,maybe,survey,perhaps\n"
        "ok-1,Ok again,hospital,0.7,101.9,true,survey,yes\n"
        "short,row\n"
    )
    with pytest.raises(InputError) as caught:
        parse_facilities_csv(text, source="f.csv")
    problems = caught.value.params["problems"]
    assert caught.value.code == "facility_csv_invalid"
    joined = "\n".join(problems)
    assert "line 3: id 'Bad'" in joined
    assert "line 3: name must be" in joined
    assert "line 3: kind 'clinic'" in joined
    assert "line 3: lon 'x'" in joined
    assert "line 3: approximate 'maybe'" in joined
    assert "line 3: active 'perhaps'" in joined
    assert "line 4: lon=0.7, lat=101.9" in joined
    assert "line 5: 2 fields" in joined
    assert not any(p.startswith("line 2") for p in problems)


def test_missing_columns_and_empty_files_are_refused() -> None:
    with pytest.raises(InputError, match="missing column"):
        parse_facilities_csv("id,name\n")
    with pytest.raises(InputError, match="empty file"):
        parse_facilities_csv("")
    with pytest.raises(InputError, match="no facility rows"):
        parse_facilities_csv("id,name,kind,lon,lat,approximate,source\n")
