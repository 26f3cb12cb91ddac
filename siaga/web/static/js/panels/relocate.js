// "Pindahkan lokasi / Move location": correct where an open incident is. The button makes the
// incident's marker draggable (or a new place is chosen from the list); on drop the incident is
// moved with PATCH /incidents/{id} (the server audits it as "relocated" and keeps the assignments),
// then the panel reloads and asks for a fresh recommendation while something is still needed.

import { escapeHtml as esc, t } from "../i18n.js";
import { el, setHtml } from "../dom.js";
import { errorValue } from "../api.js";
import { attachPlaceSearch } from "../places.js";

const FINAL = ["closed", "cancelled"];

export function createRelocate({ store, api, panel, refreshNow }) {
  const node = el("incident-relocate");

  function render(state) {
    const i = state.incident;
    if (!i || i.id !== state.openIncidentId || FINAL.includes(i.status)) { setHtml(node, ""); return; }
    const lang = state.lang;
    if (state.relocatingId !== i.id) {
      setHtml(node, `<button type="button" id="relocate" class="secondary">${esc(t(lang, "relocate"))}</button>`);
      return;
    }
    setHtml(node, `<div class="relocating-box"><p class="hint">${esc(t(lang, "relocateHint"))}</p>`
      + `<label>${esc(t(lang, "relocatePlace"))} <input id="relocate-place" list="relocate-list" autocomplete="off"></label>`
      + `<datalist id="relocate-list"></datalist>`
      + ` <button type="button" id="relocate-done" class="link">${esc(t(lang, "relocateDone"))}</button></div>`);
  }

  /** Move the incident (``{lon, lat}`` or ``{place_kode}``), then reload it and re-rank. */
  async function moveTo(id, body) {
    store.clearErrors();
    try {
      await api.patch(`/incidents/${id}`, body);
      store.setRelocating(null);
      const [incident] = await Promise.all([panel.loadDetail(id), refreshNow()]);
      if (incident && !FINAL.includes(incident.status) && incident.outstanding.length) {
        await panel.recommend(id, { focus: false });
      }
    } catch (error) {
      store.addError("incident", errorValue(error));
      store.setRelocating(null);  // the marker goes back to where the server has the incident
    }
  }

  /** The map's incident marker was dropped: move that incident if it is the one being moved. */
  function dropped(id, point) {
    if (store.get().relocatingId === id) { moveTo(id, { lon: point.lon, lat: point.lat }); }
  }

  node.addEventListener("click", (event) => {
    const id = store.get().openIncidentId;
    if (event.target.id === "relocate") { store.clearErrors(); store.setRelocating(id); }
    if (event.target.id === "relocate-done") { store.setRelocating(null); }
  });
  attachPlaceSearch({
    api, root: node, inputId: "relocate-place", listId: "relocate-list",
    onChosen: (place) => moveTo(store.get().openIncidentId, { place_kode: place.kode }),
  });
  store.subscribe((state, keys) => {
    if (["incident", "openIncidentId", "relocatingId", "lang"].some((k) => keys.has(k))) { render(state); }
  });
  return { dropped };
}
