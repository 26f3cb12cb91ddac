// Siak Siaga 112 dispatcher console: wires the store, the API client, the map and the panels.
// Live data: GET /live (every unit and every open incident) is polled every second (simple, robust
// through proxies), after the first answer with ?since= (only what changed); the server builds it
// once for all consoles (at most SIAGA_LIVE_MAX_AGE_S = 0.5 s old), so a new position shows within
// ~1.5 s.

import { makeApi, errorValue, newestOnly, watchActivity } from "./api.js";
import { createAccount, currentSession, showLogin, wireLogin } from "./session.js";
import { createShiftPanel } from "./panels/shift.js";
import { createStore } from "./store.js";
import { createLiveFeed } from "./live.js";
import { createMap } from "./map.js";
import { createBeeper } from "./alarm.js";
import { detectFeatures } from "./features.js";
import { formatWib, LANGS, t } from "./i18n.js";
import { el, errorText } from "./dom.js";
import { createIntake } from "./panels/intake.js";
import { createIncidentPanel } from "./panels/incident.js";
import { createIncidentList } from "./panels/incidents.js";
import { createBoard } from "./panels/board.js";
import { createHistory } from "./panels/history.js";
import { createRelocate } from "./panels/relocate.js";
import { watchDeviceAlerts } from "./device_alerts.js";
import { createPositionRequests } from "./panels/positions.js";
import { createClosures } from "./panels/closures.js";
import { createArrivalProposals } from "./panels/arrivals.js";
import { createRouteOnDemand } from "./panels/routes.js";

const POLL_MS = 1000;

async function start() {
  // configuration from the server: JSON in <body data-config> (no inline script, see the CSP)
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const savedLang = localStorage.getItem("siaga.lang");
  const store = createStore({
    lang: LANGS.includes(savedLang) ? savedLang : "id",
    // a development tool's token (SIAGA_CONSOLE_DEMO_TOKEN); otherwise a person logs in (session cookie)
    token: CFG.demoToken || "",
  });
  const auth = { csrf: null, person: null, ended: false };
  const loginAgain = (reason) => { auth.ended = true; showLogin(() => store.get().lang, errorValue(reason)); };
  const api = makeApi(() => store.get().token, { getCsrf: () => auth.csrf, onUnauthorized: loginAgain });
  wireLogin(() => store.get().lang);
  el("lang").addEventListener("click", () => { store.setLang(store.get().lang === "id" ? "en" : "id"); });
  const translateChrome = (lang) => {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
    el("lang").textContent = t(lang, "lang");
  };
  if (!store.get().token) {
    const person = await currentSession().catch(() => null);
    if (!person || !person.csrf_token) {
      translateChrome(store.get().lang);
      store.subscribe((state, keys) => { if (keys.has("lang")) { translateChrome(state.lang); } });
      showLogin(() => store.get().lang);
      return;
    }
    auth.csrf = person.csrf_token;
    auth.person = person;
    watchActivity();
  }
  const features = await detectFeatures();
  const beeper = createBeeper();

  // one live feed (GET /live): the fleet and every open incident, the same cached picture the server
  // gives every console; after the first answer only what changed since the version held (live.js).
  // Each answer redraws units and incidents: fix ages count and the P1 alarm is checked every poll.
  const liveOrder = newestOnly();
  const feed = createLiveFeed();
  const refreshNow = () => liveOrder(() => api.get(feed.path()), (data) => {
    if (!feed.apply(data)) { return; }  // does not continue what is held: the next poll catches up
    store.setUnits(feed.units());
    store.setIncidents(feed.incidents());
  }).then(() => ({ incidents: feed.incidents() }));

  const holder = { panel: null, intake: null, relocate: null };
  const openIncident = (id) => { store.clearErrors(); return holder.panel.open(id); };
  const mapView = createMap({
    store, api, schematic: Boolean(CFG.schematic),
    onPick: (point) => { el("place").value = ""; holder.intake.pinAt(point); },
    onPinMoved: (point) => holder.intake.pinAt(point),
    onIncidentMoved: (id, point) => holder.relocate.dropped(id, point),
    onOpenIncident: openIncident,
  });
  holder.panel = createIncidentPanel({ store, api, features, mapView, refreshNow });
  holder.relocate = createRelocate({ store, api, panel: holder.panel, refreshNow });
  createPositionRequests({ store, api, panel: holder.panel });
  createArrivalProposals({ store, api });
  createRouteOnDemand({ store, api, mapView });
  holder.intake = createIntake({
    store, api, features,
    onCreated: async (incident) => {
      await Promise.all([holder.panel.open(incident.id, { created: incident }), refreshNow()]);
    },
  });
  createIncidentList({ store, beeper, onOpen: openIncident });
  createBoard({ store, api, refreshNow });
  const history = createHistory({ store, api, features, onOpen: openIncident });
  createClosures({ store, api, mapView });

  // the map and the page chrome follow the store
  store.subscribe((state, keys) => {
    if (keys.has("lang")) {
      translateChrome(state.lang);
      el("schematic-banner").textContent = t(state.lang, "schematic");
      mapView.renderLegend(state.lang);
    }
    if (keys.has("units") || keys.has("lang")) { mapView.renderUnits(state.units, state.lang); }
    if (["incidents", "lang", "openIncidentId", "relocatingId"].some((k) => keys.has(k))) {
      mapView.renderIncidents(state.incidents, state.lang, state.openIncidentId, state.relocatingId);
    }
    if (keys.has("picked") || keys.has("lang")) { mapView.renderPicked(state.picked, state.lang); }
    if (keys.has("connection") || keys.has("lang")) {
      el("connection").textContent = state.connection ? errorText(state.lang, state.connection) : "";
      el("connection").hidden = !state.connection;
    }
  });

  async function poll() {
    try {
      const id = store.get().openIncidentId;
      // the open incident comes with the list of open ones (one request); asked for alone only once it
      // is no longer in that list (closed, cancelled)
      const listed = refreshNow().then((data) => data.incidents);
      const detail = id != null && store.get().incident ? holder.panel.loadDetail(id, { listed }) : null;
      await Promise.all([listed, detail]);
      store.setConnection(null);
    } catch (error) {
      // polling failures are the connection's state: shown in the header until a poll succeeds
      store.setConnection(errorValue(error));
    }
    if (!auth.ended) { setTimeout(poll, POLL_MS); }
  }

  if (auth.person) {
    createAccount({ store, api, person: auth.person });
    createShiftPanel({ store, api, person: auth.person });
  }
  if (CFG.schematic) { el("schematic-banner").hidden = false; }
  const tick = () => { el("clock").textContent = formatWib(new Date()); };
  tick();
  setInterval(tick, 1000);

  mapView.loadStatic(store.get().lang)
    .then((loaded) => history.setKecamatan(loaded.kecamatan))
    .catch((error) => store.setConnection(errorValue(error)));
  const reopen = store.get().openIncidentId;
  if (reopen != null) { holder.panel.open(reopen); }  // the panel survives a reload
  poll();
  watchDeviceAlerts({ api, store, node: el("device-alerts") });
  window.siagaConsole = { map: mapView.map, store, features };
}

start();
