"""Every generated map opens from ``file://`` with the network blocked: it renders and reaches nowhere.

The coverage report (its page with the embedded map, and the map alone, in both languages) and the
incident replay map are written to disk, then opened in Debian's Chromium with every request that is
not a ``file:`` URL aborted. Each must draw a Leaflet map with vector paths, attempt no outside
request, and log no JavaScript error; the report page prints on A4 landscape. Screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from dispatch_geo.coverage.export import write_report_files
from dispatch_geo.coverage.report import build_report
from dispatch_geo.coverage.standards import service_standard
from maps.coverage_page import write_html
from maps.replay_map import replay_map
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS
from tests.unit.coverage_graphs import line_road
from tests.unit.test_coverage_outputs import OPTIONS, POSTS, boundaries
from tests.unit.test_maps_replay import VENDOR, replay_body

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("offline-maps")
    report = build_report(
        line_road(schematic=True),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    pages = write_html(report, out, lang="id") + write_html(report, out, lang="en")
    write_report_files(report, out)
    replay = out / "replay_map.html"
    replay.write_text(replay_map(replay_body(), vendor_dir=VENDOR).get_root().render(), encoding="utf-8")
    return [*pages, replay]


def _rendered_paths(page: Page, *, in_frame: bool) -> int:
    scope = page.frame_locator("iframe.siaga-map") if in_frame else page
    scope.locator(".leaflet-container").first.wait_for(timeout=15_000)
    scope.locator("path.leaflet-interactive").first.wait_for(timeout=15_000)
    return scope.locator("path.leaflet-interactive").count()


def test_every_generated_map_renders_offline_from_a_file(generated: list[Path]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for path in generated:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(f"{m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def guard(route, name=path.name):  # type: ignore[no-untyped-def]
                if route.request.url.startswith("file:"):
                    route.continue_()
                else:
                    outside.append(f"{name}: {route.request.url}")
                    route.abort()

            page.route("**/*", guard)
            page.goto(path.as_uri())
            in_frame = path.name.startswith("coverage_report")
            assert _rendered_paths(page, in_frame=in_frame) > 0, path.name
            if not in_frame:
                assert page.evaluate("typeof L") == "object", path.name
            page.screenshot(path=str(SHOTS / f"offline-{path.stem}.png"))
            if path.name == "coverage_report.html":
                # the print CSS asks for A4 landscape: 297 x 210 mm = 842 x 595 pt
                pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf))
                assert boxes, "no page in the printed report"
                for width, height in boxes:
                    assert (round(float(width)), round(float(height))) == (842, 595), boxes
            page.close()
        browser.close()
    assert not outside, f"a map tried to reach the internet: {outside[:5]}"
    assert not errors, errors
