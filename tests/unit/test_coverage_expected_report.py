"""The report page's expected-coverage section (MEXCLP), on the hand-checkable line graph."""

from __future__ import annotations

from dispatch_geo.coverage.expected import expected_summary
from dispatch_geo.coverage.report import build_report
from dispatch_geo.coverage.standards import service_standard
from maps.coverage_page import report_html
from tests.unit.coverage_graphs import line_road
from tests.unit.test_coverage_outputs import OPTIONS, POSTS, boundaries


def test_report_page_shows_expected_beside_plain_coverage_with_the_busy_fraction_labelled() -> None:
    road = line_road()
    standard = service_standard("ambulance", ambulance_travel_s=150.0)
    report = build_report(road, boundaries(), POSTS, standard, options=OPTIONS)
    summary = expected_summary(
        road,
        report.demand,
        report.posts,
        {"psc-west": 2},
        standard.travel_time_s,
        busy_fraction=0.5,
        busy_source="assumed",
        place=lambda lon, lat: ("Beta", "Kecamatan Uji"),
        add_units=(1,),
        n_candidates=5,
    )
    # two units busy half the time: 1 - 0.5² = 75 % of the covered people are expected to be served
    assert summary["expected_covered_population"] == round(0.75 * summary["covered_population"])
    page_id = report_html(report, lang="id", expected=summary)
    assert "Cakupan harapan" in page_id
    assert "DIASUMSIKAN" in page_id
    assert "50,0 %" in page_id
    assert "Tambah 1 unit (MEXCLP)" in page_id
    page_en = report_html(report, lang="en", expected=summary)
    assert "ASSUMED" in page_en
    assert "Add 1 unit(s) (MEXCLP)" in page_en
    assert "Cakupan harapan" not in report_html(report, lang="id")
