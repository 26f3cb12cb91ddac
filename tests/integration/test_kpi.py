# ruff: noqa: F811 - the engine fixture imported from storage_fixtures is redefined as a parameter
"""Response-time KPIs of incidents with known timelines (tests/support/kpi_incidents.py) equal the
medians, P90s and shares worked out by hand, on PostGIS and on SQLite.

Median: the middle value, or the mean of the two middle ones. P90: nearest rank (the ceil(0.9 n)-th
smallest value). PSC 119 is judged on travel (en route → on scene) against 480 s, Damkar on response
(call → on scene) against 900 s, Polres on travel against 900 s (the coverage report's standards).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.kpi.summary import KpiReport, KpiRow
from dispatch_geo.storage import fleet_repo, kpi_repo
from dispatch_geo.storage.engine import make_session_factory
from tests.integration.storage_fixtures import FLEET_CSV, engine, migrated_template  # noqa: F401
from tests.support.kpi_incidents import PERIOD, WEEK1, add_known_incidents


@pytest.fixture
def report(engine: Engine) -> KpiReport:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=WEEK1.replace(year=2025))
        add_known_incidents(session)
    with sessions() as session:
        return kpi_repo.kpi_report(session, since=PERIOD[0], until=PERIOD[1])


def _one(rows: list[KpiRow], agency: str, **where: object) -> KpiRow:
    found = [r for r in rows if r.agency == agency and all(getattr(r, k) == v for k, v in where.items())]
    assert len(found) == 1, (agency, where, rows)
    return found[0]


def _figures(row: KpiRow, interval: str) -> tuple[int, float | None, float | None]:
    stats = row.intervals[interval]
    return stats.count, stats.median_s, stats.p90_s


def test_psc119_medians_p90s_and_share_within_standard(report: KpiReport) -> None:
    assert (report.incidents, report.simulated) == (8, 0)
    amb = _one(report.by_agency, "psc_119")
    assert amb.incidents == 6
    assert _figures(amb, "call_to_create") == (6, 60.0, 120.0)
    assert _figures(amb, "create_to_dispatch") == (6, 52.5, 120.0)
    assert _figures(amb, "dispatch_to_en_route") == (6, 60.0, 120.0)
    assert _figures(amb, "en_route_to_on_scene") == (6, 390.0, 900.0)
    assert _figures(amb, "travel") == (6, 390.0, 900.0)  # the first ambulance, not the later second one
    assert _figures(amb, "response") == (6, 592.5, 1170.0)
    assert _figures(amb, "on_scene_to_transport") == (2, 600.0, 600.0)
    assert _figures(amb, "transport_to_hospital") == (2, 1050.0, 1200.0)
    assert (amb.standard_interval, amb.standard_s) == ("travel", 480.0)
    assert (amb.within_standard, amb.judged) == (4, 6)
    assert amb.share_within_standard == pytest.approx(4 / 6)


def test_fire_and_police_are_judged_on_their_own_standards(report: KpiReport) -> None:
    fire = _one(report.by_agency, "damkar")
    assert _figures(fire, "response") == (1, 740.0, 740.0)
    assert (fire.standard_interval, fire.standard_s, fire.share_within_standard) == ("response", 900.0, 1.0)
    police = _one(report.by_agency, "polres")
    assert _figures(police, "travel") == (1, 1000.0, 1000.0)
    assert (police.standard_interval, police.standard_s, police.share_within_standard) == (
        "travel",
        900.0,
        0.0,
    )
    assert not [r for r in report.by_agency if r.agency == "bpbd"]  # BPBD sent nobody
    everyone = _one(report.by_agency, "all")
    assert everyone.incidents == 8  # the cancelled hoax too
    assert everyone.share_within_standard is None  # no standard for the regency as a whole


def test_per_kecamatan_and_per_week(report: KpiReport) -> None:
    siak = _one(report.by_kecamatan, "psc_119", kecamatan_kode="14.08.01")
    assert (siak.kecamatan_nama, siak.incidents) == ("Siak", 3)
    assert _figures(siak, "travel") == (3, 420.0, 600.0)
    assert (siak.within_standard, siak.judged) == (2, 3)
    mempura = _one(report.by_kecamatan, "psc_119", kecamatan_kode="14.08.02")
    assert _figures(mempura, "travel") == (3, 360.0, 900.0)
    assert (mempura.within_standard, mempura.judged) == (2, 3)
    week1 = _one(report.weekly, "psc_119", week_start=date(2026, 11, 2))
    week2 = _one(report.weekly, "psc_119", week_start=date(2026, 11, 9))
    assert _figures(week1, "response") == (3, 690.0, 780.0)
    assert _figures(week2, "response") == (3, 495.0, 1170.0)


def test_agency_filter_keeps_that_agency(engine: Engine, report: KpiReport) -> None:
    with make_session_factory(engine)() as session:
        fire_only = kpi_repo.kpi_report(session, since=PERIOD[0], until=PERIOD[1], agency="damkar")
    assert [r.agency for r in fire_only.by_agency] == ["all", "damkar"]
    assert _one(fire_only.by_agency, "all").incidents == 1
