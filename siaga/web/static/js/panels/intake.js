// Intake: the new-incident form (place with autocomplete or a map click, type, priority with words,
// caller, landmark, victims, notes). A successful create resets the form and opens the incident.
// Before creating, the incident is a draggable pin: a map click or a place chosen from the list puts
// it, a drag moves it, and each new point is resolved by GET /locate (desa, kecamatan, distance to the
// nearest road, the far_from_road warning), shown under the place field and on the pin.

import { escapeHtml as esc, formatNumber, INCIDENT_TYPES, PRIORITIES, t, tServer } from "../i18n.js";
import { el, errorsHtml, errorText, onDismiss, setHtml } from "../dom.js";
import { errorValue } from "../api.js";
import { attachPlaceSearch } from "../places.js";

const DEFAULT_PRIORITY = "2";

export function createIntake({ store, api, features, onCreated }) {
  const form = el("incident-form");
  // fields the server may not know yet (landmark, caller_name, victims) show only when it does
  for (const label of form.querySelectorAll("[data-field]")) {
    label.hidden = !features.intakeFields.includes(label.dataset.field);
  }

  function renderOptions(lang) {
    const type = el("type").value || "medical";
    const priority = el("priority").value || DEFAULT_PRIORITY;
    setHtml(el("type"), INCIDENT_TYPES.map((k) => `<option value="${k}">${esc(t(lang, "t_" + k))}</option>`).join(""));
    setHtml(el("priority"), PRIORITIES.map((p) => `<option value="${p}">${esc(t(lang, "p_" + p))}</option>`).join(""));
    el("type").value = type;
    el("priority").value = priority;
  }

  /** Put the pin at ``point`` (a place chosen from the list keeps its kode until the pin moves). */
  async function pinAt(point, { place = null } = {}) {
    const placeKode = place ? place.kode : null;
    store.setPicked({ lon: point.lon, lat: point.lat, placeKode, where: null, resolving: true, error: null });
    try {
      const where = await api.get(`/locate?lon=${point.lon}&lat=${point.lat}`);
      if (place && place.level === "desa" && where.desa.nama !== place.nama) {
        // a desa without roads of its own resolves onto the nearest road, which may lie in the next desa;
        // the incident still belongs to the desa the caller named (docs/graph.md), so the pin says so
        const kecamatan = where.kecamatan.nama === place.kecamatan ? where.kecamatan : { kode: null, nama: place.kecamatan };
        Object.assign(where, { desa: { kode: place.kode, nama: place.nama }, kecamatan });
      }
      store.setPickedWhere(point, where);
    } catch (error) {
      store.setPickedWhere(point, null, errorValue(error));
    }
  }

  function pinHtml(lang, picked) {
    if (!picked) { return ""; }
    const where = picked.where;
    if (picked.error) { return `<p class="message error" data-pin-error="1">${esc(errorText(lang, picked.error))}</p>`; }
    if (!where) { return `<p class="hint">${esc(t(lang, "pinResolving"))}</p>`; }
    const outside = where.inside ? "" : ` · ${esc(t(lang, "pinOutside", { distance: formatNumber(Math.round(where.outside_distance_m)) }))}`;
    return `<p class="pin-place" data-pin-place="1"><b>${esc(t(lang, "pin"))}:</b> `
      + `<span data-pin-desa>${esc(where.desa.nama)}</span>, <span data-pin-kecamatan>${esc(where.kecamatan.nama)}</span>`
      + ` · <span data-pin-road>${esc(t(lang, "pinRoad", { distance: formatNumber(Math.round(where.road_distance_m)) }))}</span>${outside}</p>`
      + where.warnings.map((w) => `<p class="message warning" role="alert" data-warning="${esc(w.code)}">`
        + `${esc(tServer(lang, w.code, w.params, w.text))}</p>`).join("")
      + `<p class="hint">${esc(t(lang, "pinHint"))}</p>`;
  }

  function render(state, keys) {
    if (keys.has("lang")) { renderOptions(state.lang); }
    if (keys.has("picked") || keys.has("lang")) { setHtml(el("picked"), pinHtml(state.lang, state.picked)); }
    if (keys.has("errors") || keys.has("lang")) { setHtml(el("form-error"), errorsHtml(state.lang, state.errors, "intake")); }
  }

  const placeSearch = attachPlaceSearch({
    api, root: form, inputId: "place", listId: "place-list",
    // an entry of the list: the pin goes to that place's point (sent as its place_kode)
    onChosen: (place) => pinAt({ lon: place.lon, lat: place.lat }, { place }),
    // a typed place replaces a clicked point
    onTyped: () => { if (store.get().picked) { store.setPicked(null); } },
  });

  function reset() {
    form.reset();
    renderOptions(store.get().lang);
    el("type").value = "medical";
    el("priority").value = DEFAULT_PRIORITY;
    placeSearch.clear();
    store.setPicked(null);
  }

  function body() {
    const value = (id) => el(id).value.trim();
    const out = { incident_type: el("type").value, priority: Number(el("priority").value), description: value("notes") };
    const picked = store.get().picked;
    if (picked && picked.placeKode && features.intakeFields.includes("place_kode")) {
      // the place chosen from the list, pin not moved: its kode (the server resolves the same point)
      out.place_kode = picked.placeKode;
      if (value("place")) { out.place = value("place"); }
    } else if (picked) {
      out.lon = picked.lon;
      out.lat = picked.lat;
    } else if (value("place")) {
      out.place = value("place");  // typed, not chosen from the list: the server matches the name
    }
    if (value("phone")) { out.caller_phone = value("phone"); }
    // sent only when filled and offered: servers without these fields refuse unknown ones
    const optional = (id, field, convert = (v) => v) => {
      if (value(id) && !el(id).closest("[hidden]")) { out[field] = convert(value(id)); }
    };
    optional("landmark", "landmark");
    optional("caller-name", "caller_name");
    optional("victims", "victims", Number);
    return out;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    store.clearErrors();
    const request = body();
    if (request.place == null && request.lon == null) {
      store.addError("intake", { status: -1, code: "e_need_location", params: {}, detail: "" });
      el("place").focus();
      return;
    }
    el("create").disabled = true;
    try {
      const incident = await api.post("/incidents", request);
      reset();
      await onCreated(incident);
    } catch (error) {
      store.addError("intake", errorValue(error));
    } finally {
      el("create").disabled = false;
    }
  });

  onDismiss(el("form-error"), store);
  document.addEventListener("keydown", (event) => {
    const tag = document.activeElement && document.activeElement.tagName;
    if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(tag)) {
      event.preventDefault();
      el("place").focus();
    }
  });
  store.subscribe(render);
  return { reset, pinAt };
}
