// The map: basemap layers (kecamatan, desa, main roads, posts), live unit and incident markers,
// the picked location, the recommendation's routes, and the legend. Leaflet is the global `L`
// (a classic script from /vendor). Units: circles coloured by STATUS with their type letter;
// incidents: diamonds labelled P1/P2/P3 in a black-grey-white PRIORITY scale, so the two never
// share a colour (P1 red used to read as "Di lokasi" red).

import { escapeHtml as esc, formatAge, t, UNIT_STATUSES, PRIORITIES } from "./i18n.js";
import { isOverdue } from "./alarm.js";

const L = window.L;
const TYPE_LETTER = {
  ambulance: "A", fire_engine: "F", water_tanker: "T", police_car: "P", police_motorbike: "M", rescue: "R",
};
// facilities (hospitals, puskesmas, posts): a rounded square with a letter by kind; dashed when approximate
const FACILITY_LETTER = {
  hospital: "H", puskesmas: "+", damkar_post: "D", police_post: "P", bpbd_post: "B", psc_post: "119",
};
export const FACILITY_KINDS = Object.keys(FACILITY_LETTER);
const LABEL_ZOOM = 11;  // call-sign labels from this zoom on (500 labels at zoom 9 are unreadable)
const SIAK_CENTRE = [0.8, 101.85];

export function createMap({ store, api, onPick, onPinMoved, onIncidentMoved, onOpenIncident, schematic }) {
  // quarter zoom steps, so "the whole regency" fills the map instead of the next whole zoom level out
  const map = L.map("map", { preferCanvas: true, zoomControl: true, zoomSnap: 0.25 }).setView(SIAK_CENTRE, 9);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  const roadStyle = (f) => {
    const hw = f.properties.highway;
    return { color: hw.startsWith("trunk") || hw.startsWith("motorway") ? "#c0392b" : "#e67e22", weight: hw.startsWith("tertiary") ? 1 : 2 };
  };
  const layers = {
    kecamatan: L.geoJSON(null, { style: { color: "#444", weight: 2, fill: false } }).addTo(map),
    desa: L.geoJSON(null, { style: { color: "#999", weight: 0.7, fillOpacity: 0.03 } }).addTo(map),
    roads: L.geoJSON(null, { style: roadStyle }).addTo(map),
    routes: L.layerGroup().addTo(map),
    picked: L.layerGroup().addTo(map),
    stations: L.layerGroup().addTo(map),
    facilities: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    units: L.layerGroup().addTo(map),
  };
  const unitMarkers = new Map();
  const incidentMarkers = new Map();
  const pin = { marker: null, timer: null, dragging: false };  // the intake pin (one marker, moved rather than rebuilt)
  const PIN_DEBOUNCE_MS = 250;
  const syncLabels = () => map.getContainer().classList.toggle("unit-labels", map.getZoom() >= LABEL_ZOOM);
  map.on("zoomend", syncLabels);
  syncLabels();

  const tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    attribution: "© OpenStreetMap contributors", maxZoom: 19,
  });
  const noTiles = L.layerGroup().addTo(map);
  const holder = { layerControl: null };
  /** The layer switcher in the current language (Leaflet names its entries once: rebuilt on a switch). */
  function renderLayerControl(lang) {
    if (holder.layerControl) { holder.layerControl.remove(); }
    holder.layerControl = L.control.layers(
      { [t(lang, "layerNoTiles")]: noTiles, "OpenStreetMap": tiles },
      { Kecamatan: layers.kecamatan, Desa: layers.desa,
        [schematic ? t(lang, "layerRoadsSchematic") : t(lang, "layerRoads")]: layers.roads,
        [t(lang, "layerRoutes")]: layers.routes, [t(lang, "layerIncidents")]: layers.incidents,
        [t(lang, "layerStations")]: layers.stations, [t(lang, "layerFacilities")]: layers.facilities,
        [t(lang, "layerUnits")]: layers.units },
    ).addTo(map);
  }

  const legend = L.control({ position: "bottomright" });  // the regency leaves that corner empty
  legend.onAdd = () => L.DomUtil.create("div", "legend");
  legend.addTo(map);
  function renderLegend(lang) {
    renderLayerControl(lang);
    legend.getContainer().innerHTML = `<b>${esc(t(lang, "legendUnits"))}</b><br>`
      + UNIT_STATUSES.map((s) => `<i class="status-${s}"></i>${esc(t(lang, "s_" + s))}`).join("<br>")
      + `<br><i class="stale-key"></i>${esc(t(lang, "stale"))}`
      + `<br><b>${esc(t(lang, "legendIncidents"))}</b>`
      + PRIORITIES.map((p) => `<br><i class="diamond-key priority-${p}"></i>${esc(t(lang, "p_" + p))}`).join("")
      + `<br><i class="diamond-key priority-1 overdue-key"></i>${esc(t(lang, "overdue"))}`
      + `<br><i class="sq station-key"></i>${esc(t(lang, "station"))}<br><i class="sq station-key approx"></i>${esc(t(lang, "approxStation"))}`
      + `<br><b>${esc(t(lang, "legendFacilities"))}</b>`
      + FACILITY_KINDS.map((k) => `<br><i class="facility-key">${FACILITY_LETTER[k]}</i>${esc(t(lang, "fk_" + k))}`).join("")
      + `<br><i class="facility-key approx">H</i>${esc(t(lang, "approxShort"))}`;
    renderFacilities(lang);
  }

  const facilities = { list: [] };  // the last facilities loaded (redrawn in the other language)
  function renderFacilities(lang) {
    layers.facilities.clearLayers();
    for (const f of facilities.list) {
      const kind = FACILITY_LETTER[f.kind] ? f.kind : "hospital";
      const approx = f.approximate ? ` <span class="facility-approx">${esc(t(lang, "approxShort"))}</span>` : "";
      const icon = L.divIcon({
        className: "", iconSize: [18, 18], iconAnchor: [9, 9],
        html: `<div class="facility kind-${kind}${f.approximate ? " approx" : ""}" data-facility="${esc(f.id)}"`
          + ` data-kind="${esc(f.kind)}" data-approximate="${f.approximate}">${FACILITY_LETTER[kind]}</div>${approx}`,
      });
      const tip = `<b>${esc(f.name)}</b> · ${esc(t(lang, "fk_" + kind))}`
        + (f.approximate ? ` — <b>${esc(t(lang, "approxShort"))}</b>` : "")
        + `<br><small>${esc(f.source)}${f.note ? " · " + esc(f.note) : ""}</small>`;
      L.marker([f.location.lat, f.location.lon], { icon, keyboard: false, zIndexOffset: -400 }).bindTooltip(tip).addTo(layers.facilities);
    }
  }

  /** Hospitals, puskesmas and posts (admin-managed data); a server without them leaves the layer empty. */
  async function loadFacilities(lang) {
    try {
      facilities.list = await api.get("/facilities?active=true");
    } catch (error) {
      if (error.status !== 404) { throw error; }
      facilities.list = [];
    }
    renderFacilities(lang);
  }

  async function loadStatic(lang) {
    const [kec, desa, roads, stations] = await Promise.all([
      api.get("/map/boundaries.geojson?level=kecamatan"), api.get("/map/boundaries.geojson?level=desa"),
      api.get("/map/roads.geojson"), api.get("/stations"),
    ]);
    layers.kecamatan.addData(kec);
    layers.desa.addData(desa);
    layers.desa.eachLayer((l) => l.bindTooltip(esc(l.feature.properties.nama), { sticky: true }));
    layers.roads.addData(roads);
    await loadFacilities(lang);
    for (const s of stations) {
      const icon = L.divIcon({
        className: "", iconSize: [14, 14], iconAnchor: [7, 7],
        html: `<div class="station${s.approximate ? " approx" : ""}" data-station="${esc(s.id)}" data-approximate="${s.approximate}"></div>`,
      });
      const tip = `${esc(s.name)}${s.approximate ? ` — <b>${esc(t(lang, "approximate"))}</b><br><small>${esc(s.note)}</small>` : ""}`;
      L.marker([s.location.lat, s.location.lon], { icon, keyboard: false, zIndexOffset: -500 }).bindTooltip(tip).addTo(layers.stations);
    }
    // the whole regency on start, unless an incident is already open (it zooms there)
    if (!store.get().openIncidentId && layers.kecamatan.getBounds().isValid()) {
      map.fitBounds(layers.kecamatan.getBounds(), { padding: [8, 8], animate: false });
    }
    return { kecamatan: kec.features.map((f) => ({ kode: f.properties.kode, nama: f.properties.nama })) };
  }

  const capture = { onClick: null };  // a panel that takes the map's clicks for a while (road closures)
  map.on("click", (event) => {
    const point = { lon: +event.latlng.lng.toFixed(6), lat: +event.latlng.lat.toFixed(6) };
    if (capture.onClick) { capture.onClick(point); return; }
    onPick(point);
  });
  /** Send the map's clicks to ``fn`` instead of the intake pin (``null``: back to the pin). */
  const setClickCapture = (fn) => { capture.onClick = fn; };

  /** The new incident's pin: draggable; a drag re-resolves (debounced while moving, at once on drop). */
  function renderPicked(picked, lang) {
    if (!picked) {
      if (pin.marker) { pin.marker.remove(); pin.marker = null; }
      return;
    }
    const farFromRoad = Boolean(picked.where && picked.where.warnings.length);
    const icon = L.divIcon({
      className: "", iconSize: [24, 32], iconAnchor: [12, 30],
      html: `<div class="pin${farFromRoad ? " far" : ""}" data-pin="1" data-lon="${picked.lon}" data-lat="${picked.lat}"></div>`,
    });
    const tip = picked.where ? `${picked.where.desa.nama}, ${picked.where.kecamatan.nama}` : t(lang, "pinResolving");
    if (!pin.marker) {
      pin.marker = L.marker([picked.lat, picked.lon], { icon, draggable: true, autoPan: true, zIndexOffset: 1000, title: t(lang, "pinHint") })
        .bindTooltip(esc(tip), { permanent: true, direction: "top", offset: [0, -28] })
        .addTo(layers.picked);
      const moved = () => {
        const ll = pin.marker.getLatLng();
        return { lon: +ll.lng.toFixed(6), lat: +ll.lat.toFixed(6) };
      };
      pin.marker.on("dragstart", () => { pin.dragging = true; });
      pin.marker.on("drag", () => {
        clearTimeout(pin.timer);
        pin.timer = setTimeout(() => onPinMoved(moved()), PIN_DEBOUNCE_MS);
      });
      pin.marker.on("dragend", () => { pin.dragging = false; clearTimeout(pin.timer); onPinMoved(moved()); });
    } else {
      if (!pin.dragging) { pin.marker.setLatLng([picked.lat, picked.lon]); }
      pin.marker.setIcon(icon);
    }
    pin.marker.setTooltipContent(esc(tip));
  }

  function unitIcon(u) {
    const status = UNIT_STATUSES.includes(u.status) ? u.status : "unknown";
    return L.divIcon({
      className: "", iconSize: [22, 22], iconAnchor: [11, 11],
      html: `<div class="unit status-${status}${u.stale ? " stale" : ""}">${TYPE_LETTER[u.unit_type] || "?"}</div>`
        + `<span class="unit-label${u.stale ? " stale" : ""}"></span>`,
    });
  }

  function renderUnits(units, lang) {
    const seen = new Set();
    for (const u of units) {
      if (!u.position) { continue; }
      seen.add(u.id);
      const latlng = [u.position.lat, u.position.lon];
      const age = formatAge(lang, u.fix_age_s);
      const tip = `${u.id} · ${t(lang, "s_" + u.status)} · ${t(lang, "fixAge")} ${age} ${t(lang, "ago")}`;
      const look = `${u.status}|${u.stale}|${u.unit_type}`;  // redraw the icon only when its look changes
      let marker = unitMarkers.get(u.id);
      if (!marker) {
        marker = L.marker(latlng, { icon: unitIcon(u), keyboard: false }).addTo(layers.units);
        marker.bindTooltip(esc(tip));
        unitMarkers.set(u.id, marker);
      } else {
        marker.setLatLng(latlng);
        if (marker.siagaLook !== look) { marker.setIcon(unitIcon(u)); }
        marker.setTooltipContent(esc(tip));
      }
      marker.siagaLook = look;
      const node = marker.getElement();
      if (!node) { continue; }
      node.querySelector(".unit-label").textContent = `${u.id} · ${age}`;
      node.setAttribute("data-unit", u.id);
      node.setAttribute("data-lat", latlng[0]);
      node.setAttribute("data-lon", latlng[1]);
      node.setAttribute("data-status", u.status);
      node.setAttribute("data-stale", u.stale);
    }
    for (const [id, marker] of unitMarkers) {
      if (!seen.has(id)) { marker.remove(); unitMarkers.delete(id); }
    }
  }

  function incidentIcon(incident, overdue, open) {
    const cls = `incident priority-${incident.priority}${overdue ? " overdue" : ""}${open ? " open" : ""}`;
    return L.divIcon({
      className: "", iconSize: [26, 26], iconAnchor: [13, 13],
      html: `<div class="${cls}" data-incident-marker="${incident.id}" data-priority="${incident.priority}"`
        + ` data-overdue="${overdue}"><span>P${incident.priority}</span></div>`,
    });
  }

  function renderIncidents(incidents, lang, openId, relocatingId = null) {
    const now = Date.now();
    const seen = new Set();
    for (const incident of incidents) {
      seen.add(incident.id);
      const overdue = isOverdue(incident, now);
      const look = `${incident.priority}|${overdue}|${incident.id === openId}`;
      const latlng = [incident.location.lat, incident.location.lon];
      const tip = `#${incident.id} ${t(lang, "t_" + incident.incident_type)} · ${t(lang, "p_" + incident.priority)} — ${incident.desa.nama || ""}`;
      // stacked at one place (a desa's settlement core), the open incident and then the most urgent lie on top
      const zIndexOffset = 500 + (incident.id === openId ? 400 : 0) + (4 - incident.priority) * 100;
      let marker = incidentMarkers.get(incident.id);
      if (!marker) {
        marker = L.marker(latlng, { icon: incidentIcon(incident, overdue, incident.id === openId), keyboard: false, zIndexOffset })
          .bindTooltip(esc(tip)).addTo(layers.incidents);
        marker.on("click", () => onOpenIncident(incident.id));
        marker.on("dragend", () => {
          const ll = marker.getLatLng();
          onIncidentMoved(incident.id, { lon: +ll.lng.toFixed(6), lat: +ll.lat.toFixed(6) });
        });
        incidentMarkers.set(incident.id, marker);
      } else {
        if (incident.id !== relocatingId) { marker.setLatLng(latlng); }
        if (marker.siagaLook !== look) {
          marker.setIcon(incidentIcon(incident, overdue, incident.id === openId));
          marker.setZIndexOffset(zIndexOffset);
        }
        marker.setTooltipContent(esc(tip));
      }
      marker.siagaLook = look;
      if (marker.dragging) {
        if (incident.id === relocatingId) { marker.dragging.enable(); } else { marker.dragging.disable(); }
      }
      const node = marker.getElement();
      if (node) { node.classList.toggle("relocating", incident.id === relocatingId); }
    }
    for (const [id, marker] of incidentMarkers) {
      if (!seen.has(id)) { marker.remove(); incidentMarkers.delete(id); }
    }
  }

  /** The routes of the recommendation: the first of each list (sent with it), those fetched on demand
   * (``routes``: unit_id → GeoJSON), and the one the dispatcher points at (``focus``) on top. */
  const routeRenderer = L.svg();
  function renderRoutes(recommendation, routes = {}, focus = null) {
    layers.routes.clearLayers();
    if (!recommendation) { return; }
    const drawn = new Set();
    const draw = (unitId, route, style) => {
      if (!route || drawn.has(unitId)) { return; }
      drawn.add(unitId);
      const className = `route-line route-of-${String(unitId).replace(/[^A-Za-z0-9_-]/g, "_")}`;
      // SVG (the map itself prefers canvas): a few lines, each a path whose class names its unit
      L.geoJSON(route, { className, style, renderer: routeRenderer }).addTo(layers.routes);
    };
    const offered = recommendation.groups.flatMap((group, gi) => [...group.ranked, ...group.stale].map((u, i) => ({ u, gi, i })));
    offered.forEach(({ u, gi, i }) => {
      if (u.unit_id === focus) { return; }
      const best = i === 0 && gi === 0;
      draw(u.unit_id, u.route || routes[u.unit_id],
        { color: best ? "#0033cc" : "#6699ff", weight: i === 0 ? 5 : 3, opacity: i === 0 ? 0.9 : 0.5 });
    });
    const focused = offered.find(({ u }) => u.unit_id === focus);  // drawn last: on top of the others
    if (focused) { draw(focus, focused.u.route || routes[focus], { color: "#c2185b", weight: 6, opacity: 0.95 }); }
  }

  function zoomTo(location) {
    map.setView([location.lat, location.lon], Math.max(map.getZoom(), 13), { animate: false });
  }

  return { map, unitMarkers, incidentMarkers, loadStatic, renderLegend, renderPicked, renderUnits, renderIncidents, renderRoutes, zoomTo, setClickCapture };
}
