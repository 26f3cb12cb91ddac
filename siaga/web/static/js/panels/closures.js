// "Penutupan jalan (banjir) / Road closures": a dispatcher closes flooded roads by drawing the flooded
// area on the map (its corners, clicked in turn) or by clicking the roads themselves, with a reason and
// a duration; POST /closures closes them for every recommendation, ETA, route and coverage figure from
// the next request on. The active closures are drawn on the map (red, dashed) and listed with "Reopen".

import { escapeHtml as esc, formatWib, t } from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { errorValue } from "../api.js";

const REFRESH_MS = 5000;

export function createClosures({ store, api, mapView }) {
  const layer = L.layerGroup().addTo(mapView.map);
  const svg = L.svg();  // closed roads as SVG paths (the rest of the map is on canvas): each one findable
  const draft = L.layerGroup().addTo(mapView.map);
  const list = el("closure-list");

  async function load() {
    try {
      const data = await api.get("/closures");
      store.setClosures(data.closures);
    } catch (error) {
      if (error.status !== 401 && error.status !== 403) { store.addError("closures", errorValue(error)); }
    }
  }

  function start(mode) {
    store.clearErrors();
    store.setClosureDraft({ mode, points: [] });
    mapView.setClickCapture((point) => {
      const current = store.get().closureDraft;
      if (current) { store.setClosureDraft({ mode: current.mode, points: [...current.points, point] }); }
    });
  }

  function stop() {
    store.setClosureDraft(null);
    mapView.setClickCapture(null);
  }

  async function save() {
    const current = store.get().closureDraft;
    const hours = Number(el("closure-hours").value) || 24;
    const body = {
      reason: el("closure-reason").value,
      expires_at: new Date(Date.now() + hours * 3600 * 1000).toISOString(),
    };
    if (current.mode === "area") {
      const ring = current.points.map((p) => [p.lon, p.lat]);
      body.area = { type: "Polygon", coordinates: [[...ring, ring[0]]] };
    } else {
      body.points = current.points;
    }
    store.clearErrors();
    try {
      await api.post("/closures", body);
      stop();
      await load();
    } catch (error) {
      store.addError("closures", errorValue(error));
    }
  }

  async function lift(id) {
    store.clearErrors();
    try {
      await api.post(`/closures/${id}/lift`);
      await load();
    } catch (error) {
      store.addError("closures", errorValue(error));
    }
  }

  function renderDraft(state) {
    const current = state.closureDraft;
    draft.clearLayers();
    if (!current) { setHtml(el("closure-drawing"), ""); return; }
    const lang = state.lang;
    const latlngs = current.points.map((p) => [p.lat, p.lon]);
    if (current.mode === "area" && latlngs.length) {
      L.polygon(latlngs, { color: "#0055aa", weight: 2, dashArray: "4 4", fillOpacity: 0.15 }).addTo(draft);
    }
    for (const ll of latlngs) { L.circleMarker(ll, { radius: 4, color: "#0055aa" }).addTo(draft); }
    const hint = t(lang, current.mode === "area" ? "closureAreaHint" : "closurePointsHint", { n: current.points.length });
    const ready = current.mode === "area" ? current.points.length >= 3 : current.points.length >= 1;
    setHtml(el("closure-drawing"), `<p class="hint">${esc(hint)}</p>`
      + `<button type="button" id="closure-save" data-points="${current.points.length}"${ready ? "" : " disabled"}>${esc(t(lang, "closureSave"))}</button> `
      + `<button type="button" id="closure-cancel" class="link">${esc(t(lang, "closureCancel"))}</button>`);
  }

  function render(state) {
    const lang = state.lang;
    layer.clearLayers();
    for (const c of state.closures) {
      for (const line of c.lines) {
        L.polyline(line.map(([lon, lat]) => [lat, lon]), { renderer: svg, color: "#d00000", weight: 5, dashArray: "6 6", className: "closed-road" })
          .bindTooltip(`${t(lang, "closedRoad")}: ${c.reason}`).addTo(layer);
      }
    }
    setHtml(list, state.closures.length ? state.closures.map((c) => `<li data-closure="${c.id}">`
      + `<b>${esc(c.reason)}</b> · ${c.roads} ${esc(t(lang, "closureSegments"))} · ${esc(t(lang, "closureUntil"))} `
      + `${esc(formatWib(c.expires_at))} · ${esc(t(lang, "closureBy"))} ${esc(c.created_by)} `
      + `<button type="button" class="link" data-lift="${c.id}">${esc(t(lang, "liftClosure"))}</button></li>`).join("")
      : `<li class="hint">${esc(t(lang, "noClosures"))}</li>`);
    setHtml(el("closure-errors"), errorsHtml(lang, state.errors, "closures"));
  }

  store.subscribe((state, keys) => {
    if (["closures", "lang", "errors"].some((k) => keys.has(k))) { render(state); }
    if (keys.has("closureDraft") || keys.has("lang")) { renderDraft(state); }
  });
  el("closure-area").addEventListener("click", () => start("area"));
  el("closure-roads").addEventListener("click", () => start("roads"));
  el("closure-drawing").addEventListener("click", (event) => {
    if (event.target.id === "closure-save") { save(); }
    if (event.target.id === "closure-cancel") { stop(); }
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-lift]");
    if (button) { lift(Number(button.dataset.lift)); }
  });
  onDismiss(el("closure-errors"), store);
  render(store.get());
  load();
  setInterval(load, REFRESH_MS);
  return { load };
}
