"""The fleet CSV's optional ``device_id`` column (issue 13): read per unit, checked, never shared."""

from __future__ import annotations

import pytest

from dispatch_geo.domain.fleet_csv import COLUMNS, parse_fleet_csv
from dispatch_geo.errors import InputError

HEADER = ",".join((*COLUMNS, "device_id"))
POST = "psc119-siak,PSC 119 Siak,psc_119,102.05,0.80,true,centroid"


def test_device_ids_are_read_per_unit_and_blank_means_none() -> None:
    fleet = parse_fleet_csv(
        f"{HEADER}\nAMB-SIAK-01,ambulance,,{POST},amb-siak-01/phone\nAMB-SIAK-02,ambulance,,{POST},\n"
    )
    assert dict(fleet.devices) == {"AMB-SIAK-01": "amb-siak-01/phone"}


def test_bad_and_shared_device_ids_are_reported_with_their_lines() -> None:
    text = (
        f"{HEADER}\nAMB-SIAK-01,ambulance,,{POST},amb1\nAMB-SIAK-02,ambulance,,{POST},amb1/other\n"
        f"AMB-SIAK-03,ambulance,,{POST},AMB 3\n"
    )
    with pytest.raises(InputError) as excinfo:
        parse_fleet_csv(text, source="fleet.csv")
    message = str(excinfo.value)
    assert "line 3: device 'amb1/other' is already used on line 2" in message
    assert "line 4: device_id 'AMB 3' is invalid" in message
