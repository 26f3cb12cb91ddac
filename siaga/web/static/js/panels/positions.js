// Positions on demand in the incident panel: when the ranking holds units with stale positions, a
// button asks their OwnTracks apps for a fix now (POST /units/position-requests); the panel shows
// "Meminta posisi…" until every asked unit is fresh on the live picture or the server's wait is over,
// then ranks again once. The first ranking of each incident asks by itself (issue 13: the phones of
// stale units are asked before the dispatcher chooses); the button stays for asking again.

import { errorValue } from "../api.js";
import { escapeHtml as esc, t } from "../i18n.js";
import { el, errorText, setHtml } from "../dom.js";

function staleOffers(rec) {
  const units = new Map();
  (rec ? rec.groups : []).forEach((g) => g.stale.forEach((u) => units.set(u.unit_id, u.unit_type)));
  return units;
}

export function createPositionRequests({ store, api, panel }) {
  const node = el("position-requests");
  let asking = null;  // {incidentId, asked: [unit ids], until: ms, skipped: [...]}
  let note = null;    // what the last request could not do (skipped units, an error)
  let timer = null;
  const autoAsked = new Set();  // incidents whose first ranking already asked by itself

  function render(state) {
    const lang = state.lang;
    const stale = staleOffers(state.recommendation);
    if (asking) {
      const fresh = asking.asked.filter((id) => answered(state, id)).length;
      setHtml(node, `<p class="hint" data-asking-positions="${asking.asked.length}">`
        + `${esc(t(lang, "askingPositions", { answered: fresh, count: asking.asked.length }))}</p>`);
      return;
    }
    const button = stale.size ? `<button type="button" class="secondary" id="ask-positions">`
      + `${esc(t(lang, "askPositions", { count: stale.size }))}</button>` : "";
    const text = note ? `<p class="hint" data-positions-note="1">${esc(note.error ? errorText(lang, note.error)
      : t(lang, "positionsSkipped", { units: note.skipped.join(", ") }))}</p>` : "";
    setHtml(node, button + text);
  }

  function answered(state, unitId) {
    const unit = state.units.find((u) => u.id === unitId);
    return Boolean(unit && unit.stale === false);
  }

  async function finish() {
    clearTimeout(timer);
    const done = asking;
    asking = null;
    render(store.get());
    if (done && store.get().openIncidentId === done.incidentId) {
      await panel.recommend(done.incidentId, { focus: false }).catch((error) => { note = { error: errorValue(error) }; });
    }
    render(store.get());
  }

  async function ask({ auto = false } = {}) {
    const state = store.get();
    const stale = staleOffers(state.recommendation);
    note = null;
    try {
      const answer = await api.post("/units/position-requests", { unit_types: [...new Set(stale.values())] });
      const skipped = answer.skipped.map((s) => s.unit_id).filter((id) => stale.has(id));
      note = skipped.length && !auto ? { skipped } : null;  // asked by itself: only what it did is shown
      const asked = answer.asked.filter((id) => stale.has(id));
      if (asked.length) {
        asking = { incidentId: state.openIncidentId, asked, until: Date.now() + 1000 * answer.wait_s };
        timer = setTimeout(finish, 1000 * answer.wait_s);
      }
    } catch (error) {
      note = { error: errorValue(error) };
    }
    render(store.get());
  }

  node.addEventListener("click", (event) => { if (event.target.closest("#ask-positions")) { ask(); } });
  store.subscribe((state, keys) => {
    if (asking && (keys.has("units")) && asking.asked.every((id) => answered(state, id))) { finish(); return; }
    if (keys.has("recommendation") && !asking && state.recommendation && !autoAsked.has(state.openIncidentId)) {
      autoAsked.add(state.openIncidentId);
      if (staleOffers(state.recommendation).size) { ask({ auto: true }); return; }
    }
    if (["recommendation", "lang", "units", "openIncidentId"].some((k) => keys.has(k))) {
      if (keys.has("openIncidentId")) { note = null; }
      render(state);
    }
  });
}
