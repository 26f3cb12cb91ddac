// Arrivals proposed by position in the incident panel (issue 13): a unit en route (or transporting)
// whose phone has stayed within the geofence of its incident (or hospital) is proposed "on scene"
// ("at hospital"); the button is the panel's own status button, so one click sets it with the same
// checks. Polls GET /arrival-proposals every 3 s while an incident with units is open.

import { escapeHtml as esc, t } from "../i18n.js";
import { el, setHtml } from "../dom.js";

const POLL_MS = 3000;

export function createArrivalProposals({ store, api }) {
  const node = el("arrival-proposals");
  let proposals = [];

  function render(state) {
    const lang = state.lang;
    const byId = new Map(state.units.map((u) => [u.id, u]));
    const shown = proposals.filter((p) => p.incident_id === state.openIncidentId
      && byId.has(p.unit_id) && byId.get(p.unit_id).status === p.from_status);
    setHtml(node, shown.map((p) => `<p class="message" data-arrival-proposal="${esc(p.unit_id)}">`
      + `${esc(t(lang, "consoleArrival", { unit: p.unit_id, seconds: p.inside_s, radius: Math.round(p.radius_m), target: p.target_name }))} `
      + `<button type="button" class="status-button" data-unit-status="${esc(p.unit_id)}" data-to="${esc(p.status)}"`
      + ` data-from="${esc(p.from_status)}" data-expected-incident="${Number(p.incident_id)}">${esc(t(lang, "s_" + p.status))}</button></p>`).join(""));
  }

  async function poll() {
    const state = store.get();
    if (state.openIncidentId != null && state.assignments.some((a) => a.released_at == null)) {
      try {
        proposals = await api.get("/arrival-proposals");
      } catch (error) {
        proposals = [];  // not allowed or not reachable: the connection banner already tells the latter
      }
      render(store.get());
    }
    setTimeout(poll, POLL_MS);
  }
  store.subscribe((state, keys) => {
    if (["units", "lang", "openIncidentId", "assignments"].some((k) => keys.has(k))) { render(state); }
  });
  poll();
}
