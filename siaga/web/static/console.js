// Siak Siaga 112 dispatcher console. Plain JavaScript + Leaflet (served locally, no CDN).
// Live data: the GeoJSON endpoints are polled every second (simple, robust through proxies, and a
// 200-unit collection is a few kB); a new position shows on the map within ~1 s of being stored.
"use strict";
(function () {
  // configuration from the server: JSON in <body data-config> (no inline script, see the CSP)
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const API = "/api/v1";
  const POLL_MS = 1000;
  const STATUS_COLOUR = {
    available: "#1a9850", dispatched: "#fdae61", en_route: "#f46d43", on_scene: "#d73027",
    transporting: "#984ea3", at_hospital: "#7b3294", returning: "#4575b4", out_of_service: "#777777",
  };
  const PRIORITY_COLOUR = { 1: "#b2182b", 2: "#ef8a62", 3: "#fddbc7" };
  const TYPE_LETTER = {
    ambulance: "A", fire_engine: "F", water_tanker: "T", police_car: "P", police_motorbike: "M", rescue: "R",
  };
  const SERVICE_OF = {
    ambulance: "ambulance", fire_engine: "fire", water_tanker: "fire", police_car: "police", police_motorbike: "police",
  };
  const WIB = new Intl.DateTimeFormat("id-ID", {
    timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", second: "2-digit",
    day: "2-digit", month: "short",
  });

  let lang = localStorage.getItem("siaga.lang") || "id";
  let token = localStorage.getItem("siaga.token") || CFG.demoToken || "";
  let picked = null;
  let currentIncident = null;
  const unitMarkers = new Map();
  const incidentMarkers = new Map();
  const el = (id) => document.getElementById(id);
  const t = (key) => (window.I18N[lang] && window.I18N[lang][key]) || key;
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const wib = (iso) => (iso ? WIB.format(new Date(iso)) + " WIB" : "");

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    el("lang").textContent = lang === "id" ? "EN" : "ID";
    if (CFG.schematic) { el("schematic-banner").textContent = t("schematic"); }
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: "Bearer " + token }, options.headers || {});
    if (options.body && !(options.body instanceof FormData)) { headers["Content-Type"] = "application/json"; }
    const response = await fetch(API + path, Object.assign({}, options, { headers }));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.detail || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // --- map --------------------------------------------------------------------------------------
  const map = L.map("map", { preferCanvas: true, zoomControl: true }).setView([0.8, 101.85], 10);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  const layers = {
    kecamatan: L.geoJSON(null, { style: { color: "#444", weight: 2, fill: false } }).addTo(map),
    desa: L.geoJSON(null, { style: { color: "#999", weight: 0.7, fillOpacity: 0.03 } }).addTo(map),
    roads: L.geoJSON(null, { style: (f) => ({ color: f.properties.highway.startsWith("trunk") || f.properties.highway.startsWith("motorway") ? "#c0392b" : "#e67e22", weight: f.properties.highway.startsWith("tertiary") ? 1 : 2 }) }).addTo(map),
    routes: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    stations: L.layerGroup().addTo(map),
    units: L.layerGroup().addTo(map),
  };
  const LABEL_ZOOM = 11;  // call-sign labels from this zoom on (500 labels at zoom 9 are unreadable)
  const syncLabels = () => map.getContainer().classList.toggle("unit-labels", map.getZoom() >= LABEL_ZOOM);
  map.on("zoomend", syncLabels);
  syncLabels();
  const tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    attribution: "© OpenStreetMap contributors", maxZoom: 19,
  });
  L.control.layers(
    { "Tanpa ubin / No tiles": L.layerGroup().addTo(map), "OpenStreetMap": tiles },
    { Kecamatan: layers.kecamatan, Desa: layers.desa,
      [CFG.schematic ? "Jalan utama SKEMATIK / Schematic main roads" : "Jalan utama / Main roads"]: layers.roads,
      "Rute / Routes": layers.routes, "Kejadian / Incidents": layers.incidents, "Pos / Stations": layers.stations,
      "Unit": layers.units },
  ).addTo(map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.innerHTML = Object.keys(STATUS_COLOUR).map((s) => `<i class="status-${s}"></i>${esc(t("s_" + s))}`).join("<br>")
      + "<br><i class='stale-key'></i>" + esc(t("stale"))
      + Object.keys(PRIORITY_COLOUR).map((p) => `<br><i class="sq priority-${p}"></i>P${p}`).join("")
      + `<br><i class="sq station-key"></i>${esc(t("station"))}<br><i class="sq station-key approx"></i>${esc(t("approxStation"))}`;
    return div;
  };
  legend.addTo(map);

  async function loadStatic() {
    const [kec, desa, roads, stations] = await Promise.all([
      api("/map/boundaries.geojson?level=kecamatan"), api("/map/boundaries.geojson?level=desa"), api("/map/roads.geojson"),
      api("/stations"),
    ]);
    for (const s of stations) {
      const icon = L.divIcon({
        className: "", iconSize: [14, 14], iconAnchor: [7, 7],
        html: `<div class="station${s.approximate ? " approx" : ""}" data-station="${esc(s.id)}" data-approximate="${s.approximate}"></div>`,
      });
      const tip = `${esc(s.name)}${s.approximate ? ` — <b>${esc(t("approximate"))}</b><br><small>${esc(s.note)}</small>` : ""}`;
      L.marker([s.location.lat, s.location.lon], { icon, keyboard: false, zIndexOffset: -500 }).bindTooltip(tip).addTo(layers.stations);
    }
    layers.kecamatan.addData(kec);
    layers.desa.addData(desa);
    layers.desa.eachLayer((l) => l.bindTooltip(esc(l.feature.properties.nama), { sticky: true }));
    layers.roads.addData(roads);
  }

  map.on("click", (event) => {
    picked = { lon: +event.latlng.lng.toFixed(6), lat: +event.latlng.lat.toFixed(6) };
    el("picked").textContent = `${t("picked")}: ${picked.lat}, ${picked.lon}`;
    el("place").value = "";
    layers.routes.clearLayers();
    L.circleMarker(event.latlng, { radius: 9, color: "#000", weight: 2, fillOpacity: 0 }).addTo(layers.routes);
  });

  // --- live units and incidents -----------------------------------------------------------------
  function fixAge(seconds) {
    if (seconds == null) { return "—"; }
    if (seconds < 120) { return Math.round(seconds) + " s"; }
    if (seconds < 7200) { return Math.round(seconds / 60) + " " + t("minutes"); }
    return Math.round(seconds / 3600) + " " + t("hours");
  }

  function unitIcon(p) {
    const cls = "unit status-" + (p.status in STATUS_COLOUR ? p.status : "unknown") + (p.stale ? " stale" : "");
    return L.divIcon({
      className: "", iconSize: [22, 22], iconAnchor: [11, 11],
      html: `<div class="${cls}">${TYPE_LETTER[p.unit_type] || "?"}</div>`
        + `<span class="unit-label${p.stale ? " stale" : ""}"></span>`,
    });
  }

  async function refreshUnits() {
    const data = await api("/units.geojson");
    for (const f of data.features) {
      const p = f.properties;
      if (!f.geometry) { continue; }
      const latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      const age = fixAge(p.fix_age_s);
      const label = `${p.id} · ${t("s_" + p.status)} · ${t("fixAge")} ${age} ${t("ago")}`;
      const look = `${p.status}|${p.stale}|${p.unit_type}`;  // redraw the icon only when its look changes
      let marker = unitMarkers.get(p.id);
      if (!marker) {
        marker = L.marker(latlng, { icon: unitIcon(p), keyboard: false }).addTo(layers.units);
        marker.bindTooltip(label);
        unitMarkers.set(p.id, marker);
      } else {
        marker.setLatLng(latlng);
        if (marker.siagaLook !== look) { marker.setIcon(unitIcon(p)); }
        marker.setTooltipContent(label);
      }
      marker.siagaLook = look;
      const node = marker.getElement();
      if (!node) { continue; }
      node.querySelector(".unit-label").textContent = `${p.id} · ${age}`;
      node.setAttribute("data-unit", p.id);
      node.setAttribute("data-lat", latlng[0]);
      node.setAttribute("data-lon", latlng[1]);
      node.setAttribute("data-status", p.status);
      node.setAttribute("data-stale", p.stale);
    }
    renderBoard(data.features.map((f) => f.properties));
  }

  function renderBoard(units) {
    const groups = {};
    for (const u of units) { (groups[u.agency] = groups[u.agency] || []).push(u); }
    el("status-board").innerHTML = Object.keys(groups).sort().map((agency) => {
      const rows = groups[agency].sort((a, b) => a.id.localeCompare(b.id)).map((u) => `
        <tr class="${u.stale ? "stale-row" : ""}" data-unit-row="${esc(u.id)}">
          <td>${esc(u.id)}</td><td><span class="dot status-${u.status in STATUS_COLOUR ? u.status : "unknown"}"></span>${esc(t("s_" + u.status))}</td>
          <td>${esc(fixAge(u.fix_age_s))}${u.stale ? " ⚠" : ""}</td></tr>`).join("");
      return `<details open><summary>${esc(agency.toUpperCase())} (${groups[agency].length})</summary><table>${rows}</table></details>`;
    }).join("");
  }

  async function refreshIncidents() {
    const data = await api("/incidents.geojson");
    layers.incidents.clearLayers();
    incidentMarkers.clear();
    const open = data.features.filter((f) => !["closed", "cancelled"].includes(f.properties.status));
    for (const f of open) {
      const p = f.properties;
      const m = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 10, color: "#000", weight: 1, fillColor: PRIORITY_COLOUR[p.priority], fillOpacity: 0.9,
      }).bindTooltip(`#${p.id} ${t("t_" + p.incident_type)} P${p.priority} — ${esc(p.desa || "")}`).addTo(layers.incidents);
      incidentMarkers.set(p.id, m);
    }
    el("incident-list").innerHTML = open.map((f) => {
      const p = f.properties;
      return `<li><button type="button" data-incident="${p.id}">#${p.id} P${p.priority} ${esc(t("t_" + p.incident_type))} — ${esc(p.desa || "")} · ${esc(t("i_" + p.status))} · ${esc(wib(p.created_at))}</button></li>`;
    }).join("");
  }

  async function poll() {
    try {
      await Promise.all([refreshUnits(), refreshIncidents()]);
      el("form-error").textContent = "";
    } catch (error) {
      if (error.status === 401 || error.status === 403) { el("form-error").textContent = t("needToken"); }
    }
    setTimeout(poll, POLL_MS);
  }

  // --- incident creation, recommendation, assignment ------------------------------------------------
  let placeTimer = null;
  let placeKodes = {};  // option text → kode: "Kandis" (desa) and "Kecamatan Kandis" are different places
  const placeText = (m) => (m.level === "kecamatan" ? "Kecamatan " + m.nama : m.nama);
  el("place").addEventListener("input", () => {
    clearTimeout(placeTimer);
    const q = el("place").value.trim();
    if (q.length < 2) { return; }
    placeTimer = setTimeout(async () => {
      const matches = await api("/places?q=" + encodeURIComponent(q)).catch(() => []);
      placeKodes = Object.fromEntries(matches.map((m) => [placeText(m), m.kode]));
      el("place-list").innerHTML = matches.map((m) => `<option value="${esc(placeText(m))}">${esc(m.level)} · ${esc(m.kecamatan)}</option>`).join("");
    }, 200);
  });

  el("incident-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    el("form-error").textContent = "";
    const body = {
      incident_type: el("type").value,
      priority: Number(el("priority").value),
      description: el("notes").value,
    };
    if (el("phone").value.trim()) { body.caller_phone = el("phone").value.trim(); }
    const placeValue = el("place").value.trim();
    if (placeValue) { body.place = placeValue; if (placeKodes[placeValue]) { body.place_kode = placeKodes[placeValue]; } } else if (picked) { Object.assign(body, picked); }
    try {
      const incident = await api("/incidents", { method: "POST", body: JSON.stringify(body) });
      currentIncident = incident.id;
      for (const id of ["place", "phone", "notes"]) { el(id).value = ""; }  // ready for the next call
      picked = null;
      el("picked").textContent = "";
      await recommend(incident.id);
      await refreshIncidents();
    } catch (error) {
      el("form-error").textContent = error.message;
    }
  });

  async function recommend(incidentId) {
    const rec = await api(`/incidents/${incidentId}/recommendations`, { method: "POST", body: "{}" });
    layers.routes.clearLayers();
    const parts = [`<h2>${esc(t("recommended"))} — #${incidentId}</h2>`];
    if (rec.schematic) { parts.push(`<p class="banner">${esc(rec.label)}</p>`); }
    rec.notes.forEach((n) => parts.push(`<p class="hint">${esc(n)}</p>`));
    rec.groups.forEach((group, gi) => {
      parts.push(`<h3>${esc(group.requirement)}</h3><ol class="ranked">`);
      if (!group.ranked.length && !group.stale.length) { parts.push(`<li>${esc(t("noUnits"))}</li>`); }
      [...group.ranked, ...group.stale].forEach((u, i) => {
        const route = L.geoJSON(u.route, { style: { color: i === 0 && gi === 0 ? "#0033cc" : "#6699ff", weight: i === 0 ? 5 : 3, opacity: i === 0 ? 0.9 : 0.5 } });
        route.addTo(layers.routes);
        parts.push(`<li class="${u.stale ? "stale-row" : ""}"><b>${esc(u.unit_id)}</b> ${(u.eta_s / 60).toFixed(1)} ${esc(t("minutes"))} · ${(u.distance_m / 1000).toFixed(1)} ${esc(t("km"))}${u.stale ? " · " + esc(t("stale")) : ""}
          <button type="button" data-assign="${esc(u.unit_id)}" data-incident="${incidentId}">${esc(t("assign"))}</button>
          ${SERVICE_OF[u.unit_type] ? `<button type="button" class="link" data-moveup="${esc(u.unit_id)}" data-service="${SERVICE_OF[u.unit_type]}">${esc(t("coverImpact"))}</button>` : ""}
          <div class="hint" data-moveup-result="${esc(u.unit_id)}"></div></li>`);
      });
      parts.push("</ol>");
      if (group.excluded.length) {
        parts.push(`<details><summary>${esc(t("leftOut"))} (${group.excluded.length})</summary><ul class="excluded">`
          + group.excluded.map((x) => `<li>${esc(x.unit_id)}: ${esc(x.reason)} — ${esc(x.detail)}</li>`).join("") + "</ul></details>");
      }
      group.warnings.forEach((w) => parts.push(`<p class="error">${esc(w)}</p>`));
    });
    el("recommendation").innerHTML = parts.join("");
    const first = el("recommendation").querySelector("button[data-assign]");
    if (first) { first.focus(); }
  }

  el("recommendation").addEventListener("click", async (event) => {
    const impact = event.target.closest("button[data-moveup]");
    if (impact) {
      const out = el("recommendation").querySelector(`[data-moveup-result="${CSS.escape(impact.dataset.moveup)}"]`);
      try {
        const hint = await api(`/coverage/${impact.dataset.service}/move-up?unit_id=${encodeURIComponent(impact.dataset.moveup)}`);
        const names = hint.villages_losing_cover.slice(0, 5).map((v) => v.nama).join(", ");
        out.textContent = hint.villages_losing_cover.length
          ? `${t("losesCover")}: ${hint.villages_losing_cover.length} desa, ${Math.round(hint.population_losing_cover)} ${t("people")} (${names}${hint.villages_losing_cover.length > 5 ? ", …" : ""})`
          : t("noCoverLoss");
      } catch (error) {
        out.textContent = error.message;
      }
      return;
    }
    const button = event.target.closest("button[data-assign]");
    if (!button) { return; }
    const incidentId = button.dataset.incident;
    try {
      await api(`/incidents/${incidentId}/assignments`, { method: "POST", body: JSON.stringify({ unit_id: button.dataset.assign }) });
      button.replaceWith(Object.assign(document.createElement("strong"), { textContent: t("assigned"), className: "assigned" }));
      await Promise.all([refreshUnits(), refreshIncidents()]);
      await recommend(incidentId);  // multi-unit incidents: what is still needed
    } catch (error) {
      el("form-error").textContent = error.message;
    }
  });

  el("incident-list").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-incident]");
    if (!button) { return; }
    const id = button.dataset.incident;
    const timeline = await api(`/incidents/${id}/timeline`);
    el("timeline").innerHTML = `<h3>${esc(t("timeline"))} #${id} <a href="/replay/${Number(id)}" target="_blank" rel="noopener">${esc(t("replay"))}</a></h3><ol class="timeline">`
      + timeline.entries.map((e) => `<li><time>${esc(wib(e.at))}</time> ${esc(e.summary)} <small>(${esc(e.by)})</small></li>`).join("") + "</ol>";
    const marker = incidentMarkers.get(Number(id));
    if (marker) { map.panTo(marker.getLatLng()); }
  });

  // --- chrome -----------------------------------------------------------------------------------
  el("token").value = token;
  el("token").addEventListener("change", () => { token = el("token").value.trim(); localStorage.setItem("siaga.token", token); });
  el("lang").addEventListener("click", () => { lang = lang === "id" ? "en" : "id"; localStorage.setItem("siaga.lang", lang); applyLanguage(); legend.remove(); legend.addTo(map);
    Promise.all([refreshUnits(), refreshIncidents()]).catch(() => {});  // lists in the new language now, not at the next poll
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement.tagName !== "INPUT" && document.activeElement.tagName !== "TEXTAREA") {
      event.preventDefault();
      el("place").focus();
    }
  });
  if (CFG.schematic) { el("schematic-banner").hidden = false; }
  const tick = () => { el("clock").textContent = WIB.format(new Date()) + " WIB"; };
  tick();
  setInterval(tick, 1000);
  applyLanguage();
  loadStatic().catch((error) => { el("form-error").textContent = error.message; });
  poll();
  window.siagaConsole = { map, unitMarkers, recommend };
})();
