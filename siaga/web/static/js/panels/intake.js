// Intake: the new-incident form (place with autocomplete or a map click, type, priority with words,
// caller, landmark, victims, notes). A successful create resets the form and opens the incident.

import { escapeHtml as esc, INCIDENT_TYPES, PRIORITIES, t } from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { errorValue } from "../api.js";

const DEFAULT_PRIORITY = "2";

export function createIntake({ store, api, features, onCreated }) {
  const form = el("incident-form");
  // fields the server may not know yet (landmark, caller_name, victims) show only when it does
  for (const label of form.querySelectorAll("[data-field]")) {
    label.hidden = !features.intakeFields.includes(label.dataset.field);
  }
  // option text → kode: "Kandis" (desa) and "Kecamatan Kandis" are different places (sent as place_kode)
  const holder = { placeTimer: null, placeKodes: {} };
  const placeText = (m) => (m.level === "kecamatan" ? "Kecamatan " + m.nama : m.nama);

  function renderOptions(lang) {
    const type = el("type").value || "medical";
    const priority = el("priority").value || DEFAULT_PRIORITY;
    setHtml(el("type"), INCIDENT_TYPES.map((k) => `<option value="${k}">${esc(t(lang, "t_" + k))}</option>`).join(""));
    setHtml(el("priority"), PRIORITIES.map((p) => `<option value="${p}">${esc(t(lang, "p_" + p))}</option>`).join(""));
    el("type").value = type;
    el("priority").value = priority;
  }

  function render(state, keys) {
    if (keys.has("lang")) { renderOptions(state.lang); }
    if (keys.has("picked") || keys.has("lang")) {
      el("picked").textContent = state.picked ? `${t(state.lang, "picked")}: ${state.picked.lat}, ${state.picked.lon}` : "";
    }
    if (keys.has("errors") || keys.has("lang")) { setHtml(el("form-error"), errorsHtml(state.lang, state.errors, "intake")); }
  }

  el("place").addEventListener("input", () => {
    clearTimeout(holder.placeTimer);
    const q = el("place").value.trim();
    if (q.length < 2) { return; }
    if (store.get().picked) { store.setPicked(null); }  // a typed place replaces a clicked point
    holder.placeTimer = setTimeout(async () => {
      const matches = await api.get("/places?q=" + encodeURIComponent(q)).catch(() => []);
      holder.placeKodes = Object.fromEntries(matches.map((m) => [placeText(m), m.kode]));
      setHtml(el("place-list"), matches.map((m) => `<option value="${esc(placeText(m))}" data-kode="${esc(m.kode)}">`
        + `${esc(m.level)} · ${esc(m.kecamatan)}</option>`).join(""));
    }, 200);
  });

  function reset() {
    form.reset();
    renderOptions(store.get().lang);
    el("type").value = "medical";
    el("priority").value = DEFAULT_PRIORITY;
    setHtml(el("place-list"), "");
    holder.placeKodes = {};
    store.setPicked(null);
  }

  function body() {
    const value = (id) => el(id).value.trim();
    const out = { incident_type: el("type").value, priority: Number(el("priority").value), description: value("notes") };
    if (value("place")) {
      out.place = value("place");
      const kode = holder.placeKodes[out.place];
      if (kode && features.intakeFields.includes("place_kode")) { out.place_kode = kode; }
    } else if (store.get().picked) { Object.assign(out, store.get().picked); }
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
  return { reset };
}
