// The planning page's one state object; only the update functions below change it. Panels subscribe
// and render from it (each update names the keys it changed).

export function createPlanningStore({ lang, token, service }) {
  const state = {
    lang,
    token,
    service,
    start: null,          // GET /planning/{service} without its figures: standard, busy, density, graph label
    todayPosts: [],       // the service's posts today (to go back to)
    posts: [],            // the scenario being edited: {id, name, lon, lat, units}
    busyFraction: 0.1,    // q used for expected coverage
    busySource: "assumed",
    figures: null,        // the last evaluation of `posts`
    updating: false,
    isochrones: null,     // GeoJSON of the bands of `posts`
    suggestion: null,     // POST /suggest answer
    adding: false,        // the next map click places a new post
    nextNew: 1,
    scenarios: [],
    selected: [],         // scenario ids ticked for comparison
    comparison: null,     // scenarios shown side by side
    savedNote: null,      // {name}
    errors: [],           // {id, status, code, params, detail}: shown until dismissed
    nextErrorId: 1,
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
    },
    setLang(lang) { localStorage.setItem("siaga.lang", lang); set({ lang }); },
    setToken(token) { localStorage.setItem("siaga.planningToken", token); set({ token }); },
    setService(service) { set({ service, start: null, figures: null, isochrones: null, suggestion: null, comparison: null, selected: [] }); },
    loaded(start) {
      const { figures, ...rest } = start;
      const posts = figures.posts.map(({ id, name, lon, lat, units }) => ({ id, name, lon, lat, units }));
      set({ start: rest, todayPosts: posts, posts, figures, busyFraction: start.busy.busy_fraction, busySource: start.busy.source });
    },
    setPosts(posts) { set({ posts, suggestion: null }); },
    setBusy(busyFraction, busySource) { set({ busyFraction, busySource }); },
    setStartBusy(busy) {
      set({ start: Object.assign({}, state.start, { busy }), busyFraction: busy.busy_fraction, busySource: busy.source });
    },
    setFigures(figures) { set({ figures }); },
    setUpdating(updating) { set({ updating }); },
    setIsochrones(isochrones) { set({ isochrones }); },
    setSuggestion(suggestion) { set({ suggestion }); },
    setAdding(adding) { set({ adding }); },
    takeNewNumber() { const n = state.nextNew; set({ nextNew: n + 1 }); return n; },
    setScenarios(scenarios) {
      const ids = new Set(scenarios.map((s) => s.id));
      set({ scenarios, selected: state.selected.filter((id) => ids.has(id)) });
    },
    toggleSelected(id) {
      set({ selected: state.selected.includes(id) ? state.selected.filter((x) => x !== id) : [...state.selected, id] });
    },
    setComparison(comparison) { set({ comparison }); },
    setSavedNote(savedNote) { set({ savedNote }); },
    addError(error) {
      set({ errors: [...state.errors, Object.assign({ id: state.nextErrorId, scope: "planning" }, error)], nextErrorId: state.nextErrorId + 1 });
    },
    dismissError(id) { set({ errors: state.errors.filter((e) => e.id !== id) }); },
    clearErrors() { if (state.errors.length) { set({ errors: [] }); } },
  };
}
