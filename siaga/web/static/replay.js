// Replay of an incident: tracks and events on a time slider (the page is siaga/web/replay.html).
"use strict";
(async function () {
  // configuration from the server: JSON in <body data-config> (no inline script, see the CSP)
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const incidentId = CFG.incidentId;
  const el = (id) => document.getElementById(id);
  const fmt = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", second: "2-digit", day: "2-digit", month: "short" });
  const token = localStorage.getItem("siaga.token") || CFG.demoToken || "";
  el("token").value = token;
  el("incident").textContent = incidentId;
  const auth = token ? { Authorization: "Bearer " + token } : {};  // else the console's session cookie
  const response = await fetch(`/api/v1/incidents/${incidentId}/replay.geojson`, { headers: auth });
  const data = await response.json();
  if (data.schematic) { el("banner").hidden = false; el("banner").textContent = data.label; }
  const map = L.map("replay-map");
  fetch("/api/v1/map/boundaries.geojson?level=desa", { headers: auth })
    .then((r) => r.json()).then((g) => L.geoJSON(g, { style: { color: "#999", weight: 0.7, fillOpacity: 0.03 } }).addTo(map));
  const incident = data.features.find((f) => f.properties.kind === "incident");
  const fixes = data.features.filter((f) => f.properties.kind === "fix").map((f) => ({ unit: f.properties.unit_id, t: Date.parse(f.properties.time), ll: [f.geometry.coordinates[1], f.geometry.coordinates[0]] }));
  const events = data.events.map((e) => ({ t: Date.parse(e.time), text: e.summary }));
  L.circleMarker([incident.geometry.coordinates[1], incident.geometry.coordinates[0]], { radius: 10, color: "#b2182b" }).addTo(map);
  const times = [...fixes.map((f) => f.t), ...events.map((e) => e.t)];
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const units = {};
  for (const f of fixes) { (units[f.unit] = units[f.unit] || []).push(f); }
  const tracks = {}, markers = {};
  const palette = ["#0033cc", "#1a9850", "#984ea3", "#ff7f00", "#a65628"];
  Object.keys(units).forEach((u, i) => {
    units[u].sort((a, b) => a.t - b.t);
    tracks[u] = L.polyline([], { color: palette[i % palette.length], weight: 4 }).addTo(map);
    markers[u] = L.marker(units[u][0].ll, { title: u }).bindTooltip(u, { permanent: true }).addTo(map);
  });
  const all = fixes.map((f) => f.ll).concat([[incident.geometry.coordinates[1], incident.geometry.coordinates[0]]]);
  map.fitBounds(L.latLngBounds(all).pad(0.2));
  function show(t) {
    el("now").textContent = fmt.format(new Date(t)) + " WIB";
    for (const u of Object.keys(units)) {
      const seen = units[u].filter((f) => f.t <= t);
      tracks[u].setLatLngs(seen.map((f) => f.ll));
      if (seen.length) { markers[u].setLatLng(seen[seen.length - 1].ll); }
    }
    el("events").innerHTML = events.filter((e) => e.t <= t).map((e) => `<div>${fmt.format(new Date(e.t))} — ${e.text.replace(/</g, "&lt;")}</div>`).join("");
  }
  el("slider").addEventListener("input", () => show(t0 + (t1 - t0) * el("slider").value / 1000));
  let timer = null;
  el("play").addEventListener("click", () => {
    if (timer) { clearInterval(timer); timer = null; return; }
    timer = setInterval(() => { const v = Number(el("slider").value) + 5; el("slider").value = v; show(t0 + (t1 - t0) * v / 1000); if (v >= 1000) { clearInterval(timer); timer = null; } }, 50);
  });
  show(t1);
  el("slider").value = 1000;
  el("download").addEventListener("click", async () => {
    const r = await fetch(`/api/v1/incidents/${incidentId}/replay-map.html`, { headers: { Authorization: "Bearer " + token } });
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await r.blob()), download: `siaga-replay-${incidentId}.html` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 5000);
  });
  window.replayPoints = fixes.length;
  window.replayReady = true;
})();
