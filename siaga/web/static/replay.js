// Replay of an incident: tracks and events on a time slider (the page is siaga/web/replay.html).
// An ES module reusing the console's: the API client (token, errors), the catalogue (events in the
// dispatcher's language, times in WIB) and the DOM helpers.

import { makeApi, API_ROOT } from "./js/api.js";
import { el } from "./js/dom.js";
import { escapeHtml as esc, formatWib, LANGS, t } from "./js/i18n.js";
import { timelineText } from "./js/timeline.js";

const PALETTE = ["#0033cc", "#1a9850", "#984ea3", "#ff7f00", "#a65628"];

async function start() {
  // configuration from the server: JSON in <body data-config> (no inline script, see the CSP)
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const incidentId = CFG.incidentId;
  const saved = localStorage.getItem("siaga.lang");
  const lang = LANGS.includes(saved) ? saved : "id";
  const token = localStorage.getItem("siaga.token") || CFG.demoToken || "";
  const api = makeApi(() => token);
  document.documentElement.lang = lang;
  document.title = "Siak Siaga 112 — " + t(lang, "replayTitle");
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-title]").forEach((node) => { node.title = t(lang, node.dataset.i18nTitle); });
  document.querySelectorAll("[data-i18n-label]").forEach((node) => { node.setAttribute("aria-label", t(lang, node.dataset.i18nLabel)); });
  el("token").value = token;
  el("incident").textContent = incidentId;
  const data = await api.get(`/incidents/${incidentId}/replay.geojson`);
  if (data.schematic) {  // the same words as the console's banner; the server's own label on hover
    el("banner").hidden = false;
    el("banner").textContent = t(lang, "schematicLabel");
    el("banner").title = data.label;
  }
  const map = L.map("replay-map");
  api.get("/map/boundaries.geojson?level=desa")
    .then((g) => L.geoJSON(g, { style: { color: "#999", weight: 0.7, fillOpacity: 0.03 } }).addTo(map));
  const incident = data.features.find((f) => f.properties.kind === "incident");
  const incidentLl = [incident.geometry.coordinates[1], incident.geometry.coordinates[0]];
  const fixes = data.features.filter((f) => f.properties.kind === "fix").map((f) => ({
    unit: f.properties.unit_id, t: Date.parse(f.properties.time), ll: [f.geometry.coordinates[1], f.geometry.coordinates[0]],
  }));
  const events = data.events.map((e) => ({ t: Date.parse(e.time), text: timelineText(lang, e, null) }));
  L.circleMarker(incidentLl, { radius: 10, color: "#b2182b" }).addTo(map);
  const times = [...fixes.map((f) => f.t), ...events.map((e) => e.t)];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const units = {};
  for (const f of fixes) { (units[f.unit] = units[f.unit] || []).push(f); }
  const tracks = {};
  const markers = {};
  Object.keys(units).forEach((u, i) => {
    units[u].sort((a, b) => a.t - b.t);
    tracks[u] = L.polyline([], { color: PALETTE[i % PALETTE.length], weight: 4 }).addTo(map);
    markers[u] = L.marker(units[u][0].ll, { title: u }).bindTooltip(u, { permanent: true }).addTo(map);
  });
  map.fitBounds(L.latLngBounds(fixes.map((f) => f.ll).concat([incidentLl])).pad(0.2));

  function show(t) {
    el("now").textContent = formatWib(new Date(t));
    for (const u of Object.keys(units)) {
      const seen = units[u].filter((f) => f.t <= t);
      tracks[u].setLatLngs(seen.map((f) => f.ll));
      if (seen.length) { markers[u].setLatLng(seen[seen.length - 1].ll); }
    }
    el("events").innerHTML = events.filter((e) => e.t <= t)
      .map((e) => `<div>${esc(formatWib(new Date(e.t)))} — ${esc(e.text)}</div>`).join("");
  }
  const at = (value) => t0 + (t1 - t0) * value / 1000;
  el("slider").addEventListener("input", () => show(at(el("slider").value)));
  const player = { timer: null };
  el("play").addEventListener("click", () => {
    if (player.timer) { clearInterval(player.timer); player.timer = null; return; }
    player.timer = setInterval(() => {
      const v = Number(el("slider").value) + 5;
      el("slider").value = v;
      show(at(v));
      if (v >= 1000) { clearInterval(player.timer); player.timer = null; }
    }, 50);
  });
  show(t1);
  el("slider").value = 1000;
  el("download").addEventListener("click", async () => {
    // a file, not JSON: fetched with the same token, saved under the incident's name
    const r = await fetch(`${API_ROOT}/incidents/${incidentId}/replay-map.html`, { headers: { Authorization: "Bearer " + token } });
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await r.blob()), download: `siaga-replay-${incidentId}.html` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 5000);
  });
  window.replayPoints = fixes.length;
  window.replayReady = true;
}

start();
