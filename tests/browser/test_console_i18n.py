"""The console's catalogue and formatters (``siaga/web/static/js/i18n.js``), in the browser that runs them.

Both languages have the same keys; times are WIB whatever the browser's zone; numbers use Indonesian
separators; server messages sent as code + params render from the catalogue, and the server's text is
only the fallback for a code the catalogue does not know.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from dispatch_geo.domain.incidents import IncidentType
from dispatch_geo.domain.units import UnitStatus, UnitType
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.integration.api_fixtures import gazetteer  # noqa: F401


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


CHECKS = """async () => {
  const m = await import('/static/js/i18n.js');
  const keys = (lang) => Object.keys(m.CATALOGUE[lang]).sort();
  return {
    onlyId: keys('id').filter((k) => !(k in m.CATALOGUE.en)),
    onlyEn: keys('en').filter((k) => !(k in m.CATALOGUE.id)),
    serverOnlyId: Object.keys(m.SERVER_CATALOGUE.id).filter((k) => !(k in m.SERVER_CATALOGUE.en)),
    serverOnlyEn: Object.keys(m.SERVER_CATALOGUE.en).filter((k) => !(k in m.SERVER_CATALOGUE.id)),
    number: m.formatNumber(10865),
    wib: m.formatWib('2026-11-29T23:05:09Z'),
    eta: m.formatEta('id', 270),
    etaEn: m.formatEta('en', 270),
    durations: [90, 150, 3599, 3600, 5400].map((s) => m.formatDuration('id', s)),
    requirement: m.requirementText('id', '1 × police_car or police_motorbike'),
    requirementEn: m.requirementText('en',
      {count: 2, unit_types: ['fire_engine'], requirement: '2 × fire_engine'}),
    held: m.tServer('id', 'unit_already_assigned',
      {unit_id: 'POL-SIAK-01', held_by_incident_id: 12, assigned_by: 'budi'}, 'unit POL-SIAK-01 is...'),
    transition: m.tServer('id', 'invalid_transition',
      {subject: 'unit', from_status: 'available', to_status: 'on_scene', allowed: ['out_of_service']}, 'x'),
    outside: m.tServer('id', 'outside_service_area', {distance_m: 10865, nearest_desa: 'Buatan'}, 'x'),
    fields: m.tServer('id', 'validation_error', {fields: ['caller_phone', 'victims']}, 'x'),
    unknown: m.tServer('id', 'some_new_code', {}, 'the server text'),
    excluded: m.tServer('id', 'busy', {unit_id: 'AMB-SIAK-01', status: 'on_scene'}, 'status is on_scene'),
    excludedOld: m.tServer('id', 'busy', {}, 'status is on_scene'),
    coded: m.requirementText('id', {requirement: '1 × ambulance', label_code: 'requirement',
      params: {count: 1, unit_types: ['ambulance']}}),
    incidentStatus: m.tServer('id', 'timeline.incident_status',
      {from_status: 'dispatched', to_status: 'on_scene'}, 'x'),
    unitStatus: m.tServer('id', 'timeline.unit_status',
      {unit_id: 'AMB-SIAK-01', from_status: 'dispatched', to_status: 'en_route'}, 'x'),
    offered: m.tServer('en', 'timeline.recommendation',
      {offered: [{unit_id: 'AMB-SIAK-01', eta_s: 270}, {unit_id: 'AMB-SIAK-02', eta_s: 600}]}, 'x'),
    types: m.INCIDENT_TYPES, unitTypes: m.UNIT_TYPES, statuses: m.UNIT_STATUSES,
  };
}"""


def test_catalogue_and_formatters(console):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(timezone_id="Europe/Berlin")  # not Jakarta: WIB comes from the code
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(console.url) else r.abort())
        page.goto(console.url)
        got = page.evaluate(CHECKS)
        browser.close()
    assert got["onlyId"] == [], "keys missing in English"
    assert got["onlyEn"] == [], "keys missing in Bahasa Indonesia"
    assert got["serverOnlyId"] == []
    assert got["serverOnlyEn"] == []
    assert got["number"] == "10.865"
    assert got["wib"].startswith("30 Nov")
    assert "06.05.09 WIB" in got["wib"]
    assert got["eta"] == "4,5 mnt"
    assert got["etaEn"] == "4,5 min"
    assert got["durations"] == ["90 dtk", "3 mnt", "1 jam", "1 jam", "1,5 jam"], "3,599 s is not '60 mnt'"
    assert got["requirement"] == "1 × Mobil polisi atau Motor polisi"
    assert got["requirementEn"] == "2 × Fire engine"
    assert got["held"] == "POL-SIAK-01 sudah ditugaskan ke kejadian #12 oleh budi."
    assert got["transition"] == (
        "Status unit tidak dapat berubah dari Siaga ke Di lokasi. Yang diizinkan: Tidak beroperasi."
    )
    assert got["outside"] == "Lokasi 10.865 m di luar Kabupaten Siak (desa terdekat: Buatan)."
    assert got["fields"] == "Isian tidak valid: Telepon pelapor, Jumlah korban."
    assert got["unknown"] == "the server text"
    assert got["excluded"] == "sedang bertugas (Di lokasi)"
    assert got["excludedOld"] == "status is on_scene", "a code without its parameters: the server's text"
    assert got["coded"] == "1 × Ambulans"
    assert got["incidentStatus"] == "Kejadian: unit dikirim → unit di lokasi"
    assert got["unitStatus"] == "AMB-SIAK-01: Ditugaskan → Menuju lokasi"
    assert got["offered"] == "Recommended: AMB-SIAK-01 (4,5 min), AMB-SIAK-02 (10,0 min)"
    # the console offers what the API knows (the form's order: the most frequent first)
    assert sorted(got["types"]) == sorted(t.value for t in IncidentType)
    assert sorted(got["unitTypes"]) == sorted(u.value for u in UnitType)
    assert got["statuses"] == [s.value for s in UnitStatus]
