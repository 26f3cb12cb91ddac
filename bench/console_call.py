"""One whole 112 call as the dispatcher clicks it in Chromium, on PostGIS with a 500-unit fleet.

Used by ``bench/console_bench.py`` (issue 11's figures). For each call: a map click on a point near a
random road node puts the intake pin (its place resolved first, not timed), then

- ``click_to_ranked_list_ms``: from the click on "Buat & rekomendasikan" to the first "Tugaskan"
  button of the new incident's ranked list drawn (create + panel load + recommendation + render);
- ``assign_click_to_row_ms``: from the click on that button to the unit's row drawn under the
  assigned units (assignment + panel reload + render);

both timed in the page (``performance.now()`` in a capturing click listener and in a
MutationObserver), so the browser's own event handling and drawing are included. Beside them, in
the same run on the same database: ``recommend_http`` (the recommendation endpoint alone, timed by an
HTTP client) and ``recommend_in_process`` (the same service call without HTTP), from
``bench/call_bench.py``.
"""

from __future__ import annotations

import os
from typing import Any

import call_bench
import numpy as np
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dispatch_geo.gazetteer import Gazetteer
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS

WARM_UP = 2
"""Calls not counted: first connections, caches, the browser's first layout."""
OFFSET_DEG = 0.0012
"""The click lands ~130 m from the road node, off the unit markers seeded on nodes."""

ARM = """([clickSelector, boxSelector, doneSelector]) => {
  window.__siagaDone = undefined;
  const box = document.querySelector(boxSelector);
  const before = box.querySelector(doneSelector);
  const probe = { clicked: null };
  document.addEventListener("click", (event) => {
    if (event.target.closest(clickSelector)) { probe.clicked = performance.now(); }
  }, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    const done = box.querySelector(doneSelector);
    if (probe.clicked !== null && done && done !== before) {
      observer.disconnect();
      window.__siagaDone = performance.now() - probe.clicked;
    }
  });
  observer.observe(box, { childList: true, subtree: true });
}"""
DONE_OR_ERROR = "(errors) => window.__siagaDone !== undefined || document.querySelector(errors) !== null"


def timed_click(page: Page, click: str, box: str, done: str, errors: str) -> float | None:
    """Milliseconds from clicking ``click`` to ``done`` appearing (anew) in ``box``; None when an error
    message (``errors``, a selector) shows instead."""
    page.evaluate(ARM, [click, box, done])
    page.click(click)
    page.wait_for_function(DONE_OR_ERROR, arg=errors, timeout=30_000)
    value = page.evaluate("() => window.__siagaDone")
    return None if value is None else float(value)


def pin_near(page: Page, lon: float, lat: float) -> bool:
    """Click the map beside (lon, lat) as a dispatcher does (on the other side when the first click
    hits a marker or lands outside the regency); True once the pin's place is resolved."""
    box = page.locator("#map").bounding_box()
    assert box is not None
    for offset in (OFFSET_DEG, -OFFSET_DEG):
        x, y = page.evaluate(
            "([lon, lat]) => { const m = window.siagaConsole.map;"
            " m.setView([lat, lon], 15, { animate: false });"
            " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [lon + offset, lat + offset],
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_selector("#picked [data-pin-place], #picked [data-pin-error]", timeout=5_000)
        except PlaywrightTimeout:  # the click hit a marker (a unit, an incident) instead of the map
            continue
        if page.locator("#picked [data-pin-place]").count() == 1:
            return True
    return False


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    a = np.asarray(samples)
    return {
        "n": len(samples),
        "p50": round(float(np.percentile(a, 50)), 1),
        "p95": round(float(np.percentile(a, 95)), 1),
        "max": round(float(a.max()), 1),
    }


def clicks(base: str, points: list[tuple[float, float]]) -> dict[str, Any]:
    """The calls clicked in Chromium (see the module docstring)."""
    ranked: list[float] = []
    assigned: list[float] = []
    skipped = {"pin_not_placed": 0, "refused": 0}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.add_init_script(f"localStorage.setItem('siaga.token', '{call_bench.TOKEN}')")
        page.goto(base + "/")
        page.wait_for_selector("[data-unit='U0001']", timeout=60_000)
        for i, (lon, lat) in enumerate(points):
            page.select_option("#type", "traffic_accident")
            page.select_option("#priority", "1")
            if not pin_near(page, lon, lat):
                skipped["pin_not_placed"] += 1
                continue
            to_list = timed_click(
                page,
                "#create",
                "#recommendation",
                "button[data-assign]",
                "#form-error .message, #incident-errors .message",
            )
            if to_list is None:
                skipped["refused"] += 1
                continue
            unit = page.get_attribute("#recommendation button[data-assign]", "data-assign")
            to_row = timed_click(
                page,
                f"#recommendation button[data-assign='{unit}']",
                "#assigned",
                f"[data-assigned='{unit}']",
                "#incident-errors .message",
            )
            if i >= WARM_UP:
                ranked.append(to_list)
                if to_row is not None:
                    assigned.append(to_row)
        browser.close()
    return {
        "click_to_ranked_list_ms": percentiles(ranked),
        "assign_click_to_row_ms": percentiles(assigned),
        "calls_skipped": skipped,
    }


def bench_console_call(road: Any, gazetteer: Gazetteer, *, units: int, calls: int) -> dict[str, Any]:
    """The whole-call figures with their baselines, on a PostGIS of their own (see the module docstring)."""
    points = call_bench.incident_points(road, calls)
    with call_bench.running_call_app(road, gazetteer, units) as (base, app):
        figures: dict[str, Any] = {
            "database": "postgresql+postgis",
            "units": units,
            # the machine's load when the run began: the figures are only as quiet as the machine
            "load_average_1min": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        }
        figures.update(clicks(base, points))
        figures.update(call_bench.bench_http(base, app, points))
    figures["targets"] = {"click_to_ranked_list_p95_ms": 300, "recommend_http_p95_ms": 50}
    return figures
