// The planner's map: desa coloured by coverage (or by population density), isochrone bands of each
// post, the largest gap desa outlined, the posts as draggable markers, MEXCLP suggestions; layer
// control, legend and scale. Leaflet is the global `L` (served from /vendor).

import { escapeHtml as esc, formatEta, formatNumber, t } from "./i18n.js";
import {
  BAND_COLOURS, COVERAGE_BREAKS, COVERAGE_COLOURS, DENSITY_BREAKS, DENSITY_COLOURS, classLabels, classOf,
} from "./planning_colours.js";

const L = window.L;
const SIAK_CENTRE = [0.8, 101.85];
const GAPS_OUTLINED = 20;

export function createPlanningMap({ onPostMoved, onMapClick }) {
  const map = L.map("map", { zoomSnap: 0.25 }).setView(SIAK_CENTRE, 9);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  const data = { desa: null, figures: null, density: {}, bands: [5, 8, 10, 15, 30] };
  const layers = {
    coverage: L.geoJSON(null, { style: { color: "#666", weight: 0.6, fillOpacity: 0.55 } }).addTo(map),
    density: L.geoJSON(null, { style: { color: "#666", weight: 0.6, fillOpacity: 0.7 } }),
    kecamatan: L.geoJSON(null, { style: { color: "#333", weight: 1.6, fill: false }, interactive: false }).addTo(map),
    isochrones: L.geoJSON(null, { interactive: false }).addTo(map),
    gaps: L.layerGroup().addTo(map),
    posts: L.layerGroup().addTo(map),
    suggestions: L.layerGroup().addTo(map),
  };
  map.on("click", (event) => onMapClick(event.latlng.lng, event.latlng.lat));

  const holder = { control: null, lang: "id" };
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => L.DomUtil.create("div", "legend");
  legend.addTo(map);

  async function loadBoundaries(api) {
    const [kec, desa] = await Promise.all([
      api.get("/map/boundaries.geojson?level=kecamatan"), api.get("/map/boundaries.geojson?level=desa"),
    ]);
    layers.kecamatan.addData(kec);
    data.desa = desa;
    layers.coverage.addData(desa);
    layers.density.addData(desa);
    map.fitBounds(layers.kecamatan.getBounds(), { padding: [4, 4] });
  }

  function renderCoverage(figures, lang) {
    data.figures = figures;
    if (!figures) { return; }
    const byKode = new Map(figures.desa.map((d) => [d.kode, d]));
    const postName = new Map(figures.posts.map((p) => [p.id, p.name]));
    layers.coverage.eachLayer((layer) => {
      const row = byKode.get(layer.feature.properties.kode);
      const share = row ? row.coverage_share : 0;
      layer.setStyle({ fillColor: COVERAGE_COLOURS[classOf(share, COVERAGE_BREAKS)] });
      const nearest = row && row.nearest_post_id
        ? t(lang, "pl_nearest", { post: postName.get(row.nearest_post_id) || row.nearest_post_id, time: formatEta(lang, row.centre_time_s) })
        : t(lang, "pl_noPost");
      layer.bindTooltip(`<b>${esc(layer.feature.properties.nama)}</b><br>${row ? formatPct(share) : "—"} · `
        + `${row ? formatNumber(row.uncovered_population) : "—"} ${esc(t(lang, "pl_people"))} ${esc(t(lang, "pl_uncovered"))}<br>${esc(nearest)}`);
    });
    layers.gaps.clearLayers();
    const gapKodes = new Set(figures.gaps.slice(0, GAPS_OUTLINED).map((g) => g.kode));
    layers.coverage.eachLayer((layer) => {
      if (gapKodes.has(layer.feature.properties.kode)) {
        L.geoJSON(layer.feature, { style: { color: "#b2182b", weight: 2.5, fill: false }, interactive: false }).addTo(layers.gaps);
      }
    });
  }

  function renderDensity(start, lang) {
    if (!start) { return; }
    data.density = Object.fromEntries(start.density.map((d) => [d.kode, d.density_per_km2]));
    data.bands = start.bands_min;
    layers.density.eachLayer((layer) => {
      const value = data.density[layer.feature.properties.kode] || 0;
      layer.setStyle({ fillColor: DENSITY_COLOURS[classOf(value, DENSITY_BREAKS)] });
      layer.bindTooltip(`<b>${esc(layer.feature.properties.nama)}</b><br>${formatNumber(value)} ${esc(t(lang, "pl_legendDensity"))}`);
    });
  }

  function renderIsochrones(geojson) {
    layers.isochrones.clearLayers();
    if (!geojson) { return; }
    layers.isochrones.addData(geojson);
    const tolerance = Math.max(0, ...(geojson.features || []).map((f) => f.properties.outline_tolerance_m || 0));
    if (tolerance !== data.isoTolerance) { data.isoTolerance = tolerance; renderLegend(holder.lang); }
    layers.isochrones.eachLayer((layer) => {
      const k = Math.max(0, data.bands.indexOf(layer.feature.properties.band_min));
      layer.setStyle({ color: BAND_COLOURS[k], weight: 0, fillColor: BAND_COLOURS[k], fillOpacity: 0.35 });
    });
  }

  function renderPosts(posts, lang) {
    layers.posts.clearLayers();
    posts.forEach((post, i) => {
      const cls = post.units === 0 ? " idle" : post.id.startsWith("pos-baru-") ? " new" : "";
      const icon = L.divIcon({
        className: "", iconSize: [20, 20], iconAnchor: [10, 10],
        html: `<div class="post-pin${cls}" data-post="${esc(post.id)}">${post.units}</div>`,
      });
      const marker = L.marker([post.lat, post.lon], { icon, draggable: true, title: post.name, zIndexOffset: 500 + i });
      marker.bindTooltip(`<b>${esc(post.name)}</b> · ${post.units} ${esc(t(lang, "pl_units"))}`);
      marker.on("dragend", () => { const p = marker.getLatLng(); onPostMoved(post.id, p.lng, p.lat); });
      marker.addTo(layers.posts);
    });
  }

  function renderSuggestions(suggestion) {
    layers.suggestions.clearLayers();
    for (const site of (suggestion && suggestion.sites) || []) {
      const icon = L.divIcon({ className: "", iconSize: [16, 16], iconAnchor: [8, 8], html: `<div class="suggest-pin" data-suggested="${esc(site.suggested_id)}"></div>` });
      L.marker([site.lat, site.lon], { icon, keyboard: false }).bindTooltip(esc(site.desa || "")).addTo(layers.suggestions);
    }
  }

  function renderLegend(lang) {
    holder.lang = lang;
    if (holder.control) { holder.control.remove(); }
    holder.control = L.control.layers(
      { [t(lang, "pl_layerCoverage")]: layers.coverage, [t(lang, "pl_layerDensity")]: layers.density },
      { Kecamatan: layers.kecamatan, [t(lang, "pl_layerIsochrones")]: layers.isochrones, [t(lang, "pl_layerGaps")]: layers.gaps,
        [t(lang, "pl_layerPosts")]: layers.posts, [t(lang, "pl_layerSuggest")]: layers.suggestions },
      { collapsed: false },
    ).addTo(map);
    const rows = (labels, prefix) => labels.map((label, k) => `<br><i class="swatch ${prefix}-${k}"></i>${esc(label)}`).join("");
    legend.getContainer().innerHTML = `<b>${esc(t(lang, "pl_legendCoverage"))}</b>${rows(classLabels(COVERAGE_BREAKS, 100), "cov")}`
      + `<br><b>${esc(t(lang, "pl_legendDensity"))}</b>${rows(classLabels(DENSITY_BREAKS), "den")}`
      + `<br><b>${esc(t(lang, "pl_legendBands"))}</b>${rows(data.bands.map((b) => `≤ ${b}`), "band")}`
      + (data.isoTolerance > 0 ? `<br><small class="iso-approx">${esc(t(lang, "pl_bandsApprox", { m: data.isoTolerance }))}</small>` : "")
      + `<br><i class="swatch gap"></i>${esc(t(lang, "pl_legendGap"))}<br><i class="swatch post"></i>${esc(t(lang, "pl_legendPost"))}`
      + `<br><i class="swatch suggest"></i>${esc(t(lang, "pl_layerSuggest"))}`;
  }

  return { map, loadBoundaries, renderCoverage, renderDensity, renderIsochrones, renderPosts, renderSuggestions, renderLegend };
}

const PCT = new Intl.NumberFormat("id-ID", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export function formatPct(share) {
  return share == null ? "—" : PCT.format(share * 100) + " %";
}
