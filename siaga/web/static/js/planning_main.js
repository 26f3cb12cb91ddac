// The what-if planning page (/planning): wires the store, the API client, the map and the panels.
// Every change (drag, add, remove, units, busy fraction) asks the server for the figures of the new
// set of posts (milliseconds); the isochrone bands follow a moment later (a heavier request).

import { errorValue, makeApi, newestOnly } from "./api.js";
import { el } from "./dom.js";
import { formatEta, formatWib, LANGS, t } from "./i18n.js";
import { createPlanningStore } from "./planning_store.js";
import { createPlanningMap } from "./planning_map.js";
import { createPanels } from "./planning_panels.js";
import { createScenarios } from "./planning_scenarios.js";

const ISOCHRONE_DELAY_MS = 600;
const SERVICES = ["ambulance", "fire", "police"];

function start() {
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const savedLang = localStorage.getItem("siaga.lang");
  const savedService = sessionStorage.getItem("siaga.planningService");
  const store = createPlanningStore({
    lang: LANGS.includes(savedLang) ? savedLang : "id",
    token: localStorage.getItem("siaga.planningToken") || CFG.demoToken || "",
    service: SERVICES.includes(savedService) ? savedService : "ambulance",
  });
  const api = makeApi(() => store.get().token);
  const evaluations = newestOnly();
  const bandsOrder = newestOnly();
  const timers = { bands: null };
  const fail = (error) => store.addError(errorValue(error));

  function scenarioBody() {
    const s = store.get();
    return { posts: s.posts, busy_fraction: s.busyFraction };
  }
  // one isochrone request at a time (each takes about a second on the server): changes made meanwhile
  // are drawn by one more request when it returns, for the posts as they are then
  const bands = { inFlight: false, again: false };
  function refreshBands() {
    clearTimeout(timers.bands);
    timers.bands = setTimeout(async () => {
      if (bands.inFlight) { bands.again = true; return; }
      bands.inFlight = true;
      const service = store.get().service;
      try {
        await bandsOrder(() => api.post(`/planning/${service}/isochrones`, scenarioBody()), store.setIsochrones);
      } catch (error) { fail(error); } finally { bands.inFlight = false; }
      if (bands.again) { bands.again = false; refreshBands(); }
    }, ISOCHRONE_DELAY_MS);
  }
  async function evaluate() {
    const service = store.get().service;
    store.setUpdating(true);
    try {
      await evaluations(() => api.post(`/planning/${service}/evaluate`, scenarioBody()), store.setFigures);
    } catch (error) { fail(error); } finally { store.setUpdating(false); }
    refreshBands();
  }
  function changePosts(posts) { store.clearErrors(); store.setPosts(posts); return evaluate(); }

  const actions = {
    movePost: (id, lon, lat) => changePosts(store.get().posts.map((p) => (p.id === id ? { ...p, lon, lat } : p))),
    setUnits: (id, units) => changePosts(store.get().posts.map((p) => (p.id === id ? { ...p, units } : p))),
    removePost: (id) => changePosts(store.get().posts.filter((p) => p.id !== id)),
    addPost(lon, lat) {
      const n = store.takeNewNumber();
      store.setAdding(false);
      return changePosts([...store.get().posts, { id: `pos-baru-${n}`, name: t("id", "pl_newPost", { n }), lon, lat, units: 1 }]);
    },
    setBusy(q) { store.setBusy(q, "given"); return evaluate(); },
    /** The busy fraction from another history period; the scenario being edited stays. */
    async setHistoryDays(days) {
      store.clearErrors();
      try {
        const start = await api.get(`/planning/${store.get().service}?days=${days}`);
        store.setStartBusy(start.busy);
      } catch (error) { fail(error); return; }
      await evaluate();
    },
    reset: () => changePosts(store.get().todayPosts),
    open(scenario) {
      store.setBusy(scenario.busy_fraction, scenario.busy_source);
      return changePosts(scenario.posts.map(({ id, name, lon, lat, units }) => ({ id, name, lon, lat, units })));
    },
    async suggest(addUnits) {
      const service = store.get().service;
      store.clearErrors();
      try {
        store.setSuggestion(await api.post(`/planning/${service}/suggest`, { ...scenarioBody(), add_units: addUnits }));
      } catch (error) { fail(error); }
    },
    takeSuggestion(suggestedId) {
      const site = ((store.get().suggestion || {}).sites || []).find((s) => s.suggested_id === suggestedId);
      if (!site) { return null; }
      const posts = store.get().posts;
      if (site.post_id) { return changePosts(posts.map((p) => (p.id === site.post_id ? { ...p, units: p.units + site.units } : p))); }
      const n = store.takeNewNumber();
      const name = site.desa ? `${t("id", "pl_newPost", { n })} (${site.desa})` : t("id", "pl_newPost", { n });
      return changePosts([...posts, { id: `pos-baru-${n}`, name, lon: site.lon, lat: site.lat, units: site.units }]);
    },
  };

  const mapView = createPlanningMap({
    onPostMoved: actions.movePost,
    onMapClick: (lon, lat) => { if (store.get().adding) { actions.addPost(lon, lat); } },
  });
  createPanels({ store, actions });
  const scenarios = createScenarios({ store, api, actions });

  store.subscribe((state, keys) => {
    const lang = state.lang;
    if (keys.has("lang")) {
      document.documentElement.lang = lang;
      document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
      el("lang").textContent = t(lang, "lang");
      el("schematic-banner").textContent = t(lang, "pl_schematicNote");
      [...el("service").options].forEach((o) => { o.textContent = t(lang, "sv_" + o.value); });
      mapView.renderLegend(lang);
    }
    if (keys.has("start") || keys.has("lang")) { mapView.renderDensity(state.start, lang); }
    if (keys.has("figures") || keys.has("lang")) { mapView.renderCoverage(state.figures, lang); }
    if (keys.has("posts") || keys.has("lang")) { mapView.renderPosts(state.posts, lang); }
    if (keys.has("isochrones")) { mapView.renderIsochrones(state.isochrones); }
    if (keys.has("suggestion")) { mapView.renderSuggestions(state.suggestion); }
    if (keys.has("adding")) { el("map").classList.toggle("adding", state.adding); }
    if (["start", "lang", "service"].some((k) => keys.has(k))) { renderPrintHead(state); }
  });

  function renderPrintHead(state) {
    const lang = state.lang;
    el("print-title").textContent = `${t(lang, "pl_title")} — ${t(lang, "sv_" + state.service)}`;
    const s = state.start;
    const lines = [t(lang, "pl_generated", { date: formatWib(new Date()) })];
    if (s) {
      lines.push(t(lang, "pl_source2", {
        method: s.demand_method, service: t(lang, "sv_" + s.service), minutes: formatEta(lang, s.standard_min * 60),
        basis: t(lang, "pl_basis_" + s.service),
      }));
      lines.push(t(lang, "pl_graph", { label: s.schematic ? t(lang, "pl_schematicNote") : s.label }));
      if (s.osm_timestamp) { lines.push(t(lang, "pl_osm", { timestamp: s.osm_timestamp })); }
    }
    el("print-meta").textContent = lines.join(" · ");
  }

  async function load() {
    const service = store.get().service;
    store.clearErrors();
    try {
      store.loaded(await api.get(`/planning/${service}`));
      refreshBands();
    } catch (error) { fail(error); }
    await scenarios.refresh();
  }

  el("token").value = store.get().token;
  el("token").addEventListener("change", () => { store.setToken(el("token").value.trim()); load(); });
  el("lang").addEventListener("click", () => { store.setLang(store.get().lang === "id" ? "en" : "id"); });
  el("service").value = store.get().service;
  el("service").addEventListener("change", () => {
    sessionStorage.setItem("siaga.planningService", el("service").value);
    store.setService(el("service").value);
    load();
  });
  if (CFG.schematic) { el("schematic-banner").hidden = false; }
  window.addEventListener("beforeprint", () => renderPrintHead(store.get()));
  mapView.loadBoundaries(api).then(() => {
    const state = store.get();
    mapView.renderCoverage(state.figures, state.lang);
    mapView.renderDensity(state.start, state.lang);
  }).catch(fail);
  load();
  window.siagaPlanning = { map: mapView.map, store };
}

start();
