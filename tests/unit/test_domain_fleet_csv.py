"""The fleet CSV loader: the shipped Siak file loads, and every bad row is reported with its line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dispatch_geo.domain.fleet_csv import COLUMNS, load_fleet_csv, parse_fleet_csv
from dispatch_geo.domain.units import Agency, UnitStatus, UnitType
from dispatch_geo.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "siak_fleet_example.csv"
HEADER = ",".join(COLUMNS)
GOOD = "AMB-SIAK-01,ambulance,,psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid"


def _csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_shipped_siak_fleet_loads() -> None:
    fleet = load_fleet_csv(EXAMPLE)
    kinds = Counter(unit.unit_type for unit in fleet.units)
    assert 40 <= len(fleet.units) <= 60
    assert set(kinds) == set(UnitType)
    assert all(station.approximate and station.note for station in fleet.stations)
    assert all(unit.status is UnitStatus.AVAILABLE for unit in fleet.units)
    station_ids = {station.id for station in fleet.stations}
    assert {unit.station_id for unit in fleet.units} == station_ids
    # Every post lies inside the regency's extent (lon 100.98–102.90 E, lat 0.41–1.23 N).
    for station in fleet.stations:
        assert 100.98 <= station.location.lon <= 102.90
        assert 0.41 <= station.location.lat <= 1.23
    # An ambulance post in each of the 14 kecamatan.
    ambulance_posts = {u.station_id for u in fleet.units if u.unit_type is UnitType.AMBULANCE}
    assert len({fleet.station(s).location for s in ambulance_posts}) == 14
    assert fleet.station("rsud-tengku-rafian").agency is Agency.RSUD


def test_blank_agency_takes_the_unit_type_default_and_stations_are_shared() -> None:
    fleet = parse_fleet_csv(
        _csv(GOOD, "AMB-SIAK-02,ambulance,rsud,psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid")
    )
    assert [u.agency for u in fleet.units] == [Agency.PSC_119, Agency.RSUD]
    assert len(fleet.stations) == 1


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    text = _csv(
        GOOD,  # line 2
        "amb-1,ambulance,,psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid",  # 3 call sign
        "AMB-SIAK-03,helicopter,,psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid",  # 4 type
        "POL-SIAK-01,police_car,damkar,polres-siak,Polres,polres,102.05,0.80,true,x",  # 5 agency
        "DMK-SIAK-01,fire_engine,,damkar-siak,Damkar,damkar,north,0.80,true,x",  # 6 lon
        "DMK-SIAK-02,fire_engine,,damkar-siak,Damkar,damkar,102.05,95,true,x",  # 7 lat range
        "DMK-SIAK-03,fire_engine,,damkar-siak,Damkar,damkar,102.05,0.80,maybe,x",  # 8 bool
        "AMB-SIAK-01,ambulance,,psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid",  # 9 dup
        "AMB-SIAK-04,ambulance,,psc119-siak,PSC 119 Siak,psc_119,102.06,0.80,true,centroid",  # 10 moved
        "AMB-SIAK-05,ambulance,,Bad Id,PSC,psc_119,102.05,0.80,true,x",  # 11 station id
        "AMB-SIAK-06,ambulance",  # 12 short row
        "TNK-SIAK-01,water_tanker,,damkar-siak,Damkar,fire_brigade,102.05,0.80,true,x",  # 13 station agency
    )
    with pytest.raises(InputError) as excinfo:
        parse_fleet_csv(text, source="fleet.csv")
    message = str(excinfo.value)
    expected = {
        3: "call_sign 'amb-1' is invalid",
        4: "unit_type 'helicopter' is unknown",
        5: "agency damkar cannot operate a police_car",
        6: "lon 'north' / lat '0.80' must be decimal degrees",
        7: "latitude 95.0 must be a finite number in [-90, 90]",
        8: "approximate 'maybe' is not a boolean",
        9: "call sign 'AMB-SIAK-01' is already used on line 2",
        10: "station 'psc119-siak' is described differently than on line 2",
        11: "station_id 'Bad Id' is invalid",
        12: "2 fields, but the header has 10",
        13: "station_agency 'fire_brigade' is unknown",
    }
    assert message.startswith(f"fleet.csv: {len(expected)} problem(s)")
    for line, problem in expected.items():
        assert f"line {line}: {problem}" in message
    assert "line 2:" not in message


def test_missing_columns_and_empty_files_are_refused() -> None:
    with pytest.raises(InputError, match="line 1: missing column\\(s\\) lon, lat"):
        parse_fleet_csv(
            "call_sign,unit_type,agency,station_id,station_name,station_agency,approximate,note\n"
        )
    with pytest.raises(InputError, match="empty file"):
        parse_fleet_csv("")
    with pytest.raises(InputError, match="no unit rows"):
        parse_fleet_csv(_csv())


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read fleet file"):
        load_fleet_csv(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(_csv(GOOD.replace("centroid", "caf\xe9")).encode("latin-1"))
    with pytest.raises(InputError, match="cannot read fleet file"):
        load_fleet_csv(latin1)
