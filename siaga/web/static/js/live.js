// The console's copy of the live picture (GET /live): the whole picture once, then only what changed.
// The server answers `?since=<version>` with the units whose feature changed (a unit that only moved as
// [id, lon, lat, last_fix_time] in `moved`), the ids of units gone and the open incidents when they
// changed (null when not); a version it cannot answer from (a restart,
// another worker) gets the whole picture again (`full`). Fix ages and stale marks are not sent (they
// change with the clock alone): computed here from last_fix_time, the picture's generated_at and
// stale_after_s, and they keep counting between answers.

function parseVersion(text) {
  const [epoch, n] = String(text || "").split(".");
  return { epoch, n: Number(n) };
}

export function createLiveFeed() {
  const held = {
    version: null,          // the version of the picture held (null: none yet, or ask for the whole one)
    units: new Map(),       // id → GeoJSON feature, in the server's order
    incidents: [],
    generatedAt: 0,         // ms, the server's time of the picture
    receivedAt: 0,          // ms, this browser's time when it arrived
    staleAfterS: null,
  };

  /** Whether an answer continues the picture held (a delta from a base not newer than ours). */
  function continues(answer) {
    if (answer.full) { return true; }
    if (!held.version || !answer.base) { return false; }
    const have = parseVersion(held.version);
    const base = parseVersion(answer.base);
    const next = parseVersion(answer.version);
    return base.epoch === have.epoch && next.epoch === have.epoch && base.n <= have.n && next.n >= have.n;
  }

  return {
    /** The path to ask: what changed since the version held, or the whole picture. */
    path: () => (held.version ? "/live?since=" + encodeURIComponent(held.version) : "/live"),
    /** Take an answer in; false when it does not fit what is held (the next poll catches up). */
    apply(answer, receivedAt = Date.now()) {
      if (!continues(answer)) { return false; }
      let reorder = false;
      if (answer.full) { held.units = new Map(); }
      for (const feature of answer.units.features) {
        if (!answer.full && !held.units.has(feature.id)) { reorder = true; }
        held.units.set(feature.id, feature);
      }
      for (const [id, lon, lat, fixTime] of answer.moved || []) {  // units that only moved
        const had = held.units.get(id);
        if (!had) { reorder = true; continue; }  // not held: ask for the whole picture
        held.units.set(id, Object.assign({}, had, {
          geometry: { type: "Point", coordinates: [lon, lat] },
          properties: Object.assign({}, had.properties, { last_fix_time: fixTime }),
        }));
      }
      for (const id of answer.removed || []) { held.units.delete(id); }
      if (answer.incidents !== null && answer.incidents !== undefined) { held.incidents = answer.incidents; }
      held.generatedAt = Date.parse(answer.generated_at);
      held.receivedAt = receivedAt;
      held.staleAfterS = answer.stale_after_s;
      // a unit new to the fleet: shown now, and the whole picture asked next time for the server's order
      held.version = reorder ? null : answer.version;
      return true;
    },
    /** Every unit as the panels use it: its properties, position, fix age (s) and stale mark as of `now`. */
    units(now = Date.now()) {
      const at = held.generatedAt + (now - held.receivedAt);  // the server's clock, now
      return Array.from(held.units.values(), (f) => {
        const fixed = f.properties.last_fix_time ? Date.parse(f.properties.last_fix_time) : null;
        const age = fixed === null ? null : Math.round(Math.max(0, at - fixed) / 100) / 10;
        return Object.assign({}, f.properties, {
          position: f.geometry ? { lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] } : null,
          fix_age_s: age,
          stale: age === null ? null : age > held.staleAfterS,
        });
      });
    },
    incidents: () => held.incidents,
  };
}
