// Routes on demand (issue 15): a recommendation carries the route of the first unit of each list; the
// route of any other offered unit is fetched (GET /incidents/{id}/routes/{unit_id}) when the dispatcher
// selects its row (click, or Enter/Space on the focused row) and drawn highlighted on the map. Not on
// mere hover: the pointer crossing the list would fetch routes nobody asked for.

import { errorValue } from "../api.js";
import { el } from "../dom.js";

export function createRouteOnDemand({ store, api, mapView }) {
  const list = el("recommendation");
  const asked = new Set();  // "incident:unit" already fetched (or being fetched) for this ranking

  async function show(unitId) {
    const state = store.get();
    const rec = state.recommendation;
    if (!rec) { return; }
    store.focusRoute(unitId);
    const key = `${rec.incident_id}:${unitId}`;
    const offered = rec.groups.flatMap((g) => [...g.ranked, ...g.stale]).find((u) => u.unit_id === unitId);
    if ((offered && offered.route) || state.routes[unitId] || asked.has(key)) { return; }
    asked.add(key);
    try {
      const found = await api.get(`/incidents/${rec.incident_id}/routes/${encodeURIComponent(unitId)}`);
      store.setRoute(rec.incident_id, unitId, found.route);
    } catch (error) {
      asked.delete(key);
      store.addError("incident", errorValue(error));
    }
  }

  const offerOf = (event) => {
    if (event.target.closest("button")) { return null; }  // assign / move-up buttons act on their own
    const row = event.target.closest("li[data-offer]");
    return row && list.contains(row) ? row.dataset.offer : null;
  };
  list.addEventListener("click", (event) => { const id = offerOf(event); if (id) { show(id); } });
  list.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    const id = offerOf(event);
    if (id) { event.preventDefault(); show(id); }
  });

  store.subscribe((state, keys) => {
    if (keys.has("recommendation")) { asked.clear(); }
    if (keys.has("routeFocus")) {  // only the marking: a re-render would take the keyboard focus away
      list.querySelectorAll("li[data-offer]").forEach((li) => li.classList.toggle("route-focus", li.dataset.offer === state.routeFocus));
    }
    if (["recommendation", "routes", "routeFocus"].some((k) => keys.has(k))) {
      mapView.renderRoutes(state.recommendation, state.routes, state.routeFocus);
    }
  });
}
