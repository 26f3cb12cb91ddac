// The console's one state object. Only the update functions below change it; panels subscribe and
// render from it. Each update names the keys it changed so a panel redraws only what it shows.

const OPEN_INCIDENT_KEY = "siaga.openIncident";  // sessionStorage: the open panel survives a reload

export function createStore({ lang, token }) {
  const state = {
    lang,
    token,
    units: [],              // properties of the units.geojson features, with position {lat, lon}
    unitsLoaded: false,
    incidents: [],          // open incidents (IncidentOut)
    openIncidentId: Number(sessionStorage.getItem(OPEN_INCIDENT_KEY)) || null,
    incident: null,         // IncidentOut of the open incident
    assignments: [],
    timeline: [],
    recommendation: null,   // RecommendationOut for the open incident
    recommending: false,
    routes: {},             // unit_id → GeoJSON route fetched on demand for the recommendation shown
    routeFocus: null,       // the offered unit whose route the dispatcher pointed at (drawn highlighted)
    moveUp: {},             // unit_id → {text} | {error}
    chooser: null,          // the hospital chooser of "Transporting": {unitId, incidentId, from, options, loading}
    picked: null,           // the intake pin: {lon, lat, placeKode, where (GET /locate), resolving, error}
    relocatingId: null,     // the incident being moved ("Pindahkan lokasi"): its marker is draggable
    errors: [],             // {id, scope, status, code, params, detail}: shown until dismissed or the next action
    connection: null,       // the last polling failure (cleared by the next successful poll)
    history: null,          // closed and cancelled incidents found in Riwayat (null: not searched yet)
    alerted: [],            // incident ids whose "P1 without a unit" alarm has sounded
    nextErrorId: 1,
    closures: [],           // active road closures (GET /closures), drawn on the map
    closureDraft: null,     // a closure being drawn: {mode: "area" | "roads", points: [{lon, lat}]}
  };
  const listeners = [];

  function set(changes) {
    Object.assign(state, changes);
    const keys = new Set(Object.keys(changes));
    for (const listener of listeners) { listener(state, keys); }
  }

  return {
    get: () => state,
    subscribe(listener) {
      listeners.push(listener);
      listener(state, new Set(Object.keys(state)));
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    setLang(lang) { localStorage.setItem("siaga.lang", lang); set({ lang }); },
    setToken(token) { localStorage.setItem("siaga.token", token); set({ token, connection: null }); },
    setUnits(units) { set({ units, unitsLoaded: true }); },
    setIncidents(incidents) { set({ incidents }); },
    setConnection(connection) {
      if (connection === state.connection) { return; }
      if (connection && state.connection && connection.status === state.connection.status) { return; }
      set({ connection });
    },
    setPicked(picked) { set({ picked }); },
    /** What GET /locate said about the pin, if the pin is still where it was asked for. */
    setPickedWhere(point, where, error = null) {
      const p = state.picked;
      if (!p || p.lon !== point.lon || p.lat !== point.lat) { return; }
      set({ picked: Object.assign({}, p, { where, error, resolving: false }) });
    },
    /** "Move location": the incident whose marker is draggable (null: none). */
    setRelocating(relocatingId) { set({ relocatingId }); },
    openIncident(id) {
      if (id == null) { sessionStorage.removeItem(OPEN_INCIDENT_KEY); } else { sessionStorage.setItem(OPEN_INCIDENT_KEY, String(id)); }
      const same = id === state.openIncidentId;
      set({
        openIncidentId: id,
        incident: same ? state.incident : null,
        assignments: same ? state.assignments : [],
        timeline: same ? state.timeline : [],
        recommendation: same ? state.recommendation : null,
        routes: same ? state.routes : {},
        routeFocus: same ? state.routeFocus : null,
        moveUp: same ? state.moveUp : {},
        relocatingId: same ? state.relocatingId : null,
        chooser: same ? state.chooser : null,
      });
    },
    setIncidentDetail(id, { incident, assignments, timeline }) {
      if (id !== state.openIncidentId) { return; }  // the dispatcher opened another one meanwhile
      set({ incident, assignments, timeline });
    },
    setRecommending(recommending) { set({ recommending }); },
    setRecommendation(id, recommendation) {
      if (id !== state.openIncidentId) { return; }
      set({ recommendation, moveUp: {}, routes: {}, routeFocus: null });
    },
    /** A route fetched on demand, kept while the same incident's recommendation is shown. */
    setRoute(id, unitId, route) {
      if (id !== state.openIncidentId || !state.recommendation) { return; }
      set({ routes: Object.assign({}, state.routes, { [unitId]: route }) });
    },
    focusRoute(routeFocus) { if (routeFocus !== state.routeFocus) { set({ routeFocus }); } },
    setChooser(chooser) { set({ chooser }); },
    setMoveUp(unitId, result) { set({ moveUp: Object.assign({}, state.moveUp, { [unitId]: result }) }); },
    setHistory(history) { set({ history }); },
    setClosures(closures) { set({ closures }); },
    setClosureDraft(closureDraft) { set({ closureDraft }); },
    markAlerted(id) { set({ alerted: [...state.alerted, id] }); },
    addError(scope, error) {
      const entry = Object.assign({ id: state.nextErrorId, scope }, error);
      set({ errors: [...state.errors, entry], nextErrorId: state.nextErrorId + 1 });
    },
    dismissError(id) { set({ errors: state.errors.filter((e) => e.id !== id) }); },
    /** The dispatcher does something new: the messages of the last action go. */
    clearErrors() { if (state.errors.length) { set({ errors: [] }); } },
  };
}
