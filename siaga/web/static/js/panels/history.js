// "Riwayat": closed and cancelled incidents, by date range (WIB days), type, kecamatan and text, each
// opening the incident panel and linking to its replay. Shown only when the server offers the search
// (GET /incidents with q, from, to; see features.js). Filters by agency and unit; CSV/XLSX export.

import { escapeHtml as esc, formatWib, INCIDENT_TYPES, t } from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { API_ROOT, ApiError, errorValue } from "../api.js";

const WIB_OFFSET = "+07:00";

/** "2026-11-30" → "2026-12-01": the API's `to` is exclusive, the dispatcher's "Sampai" day is included. */
function nextDay(isoDate) {
  const day = new Date(isoDate + "T00:00:00Z");
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/** Options of a filter: "all" first, the chosen value kept across re-renders (language changes). */
function renderFilter(select, allText, options) {
  const chosen = select.value;
  setHtml(select, `<option value="">${esc(allText)}</option>`
    + options.map(([value, text]) => `<option value="${esc(value)}">${esc(text)}</option>`).join(""));
  select.value = options.some(([value]) => value === chosen) ? chosen : "";
}

export function createHistory({ store, api, features, onOpen }) {
  const section = el("history");
  section.hidden = !features.history;
  if (!features.history) { return { setKecamatan() {} }; }
  const holder = { kecamatan: [] };  // [kode, nama] of the regency's kecamatan (from the map's layer)

  function renderFilters(lang) {
    renderFilter(el("history-type"), t(lang, "allTypes"), INCIDENT_TYPES.map((k) => [k, t(lang, "t_" + k)]));
    renderFilter(el("history-kecamatan"), t(lang, "allKecamatan"), holder.kecamatan);
  }

  store.subscribe((state, keys) => {
    if (keys.has("lang")) { renderFilters(state.lang); }
    if (!["history", "lang", "errors"].some((k) => keys.has(k))) { return; }
    const lang = state.lang;
    setHtml(el("history-errors"), errorsHtml(lang, state.errors, "history"));
    const items = state.history || [];
    if (state.history && !items.length) {  // searched, nothing matches: say so
      setHtml(el("history-list"), `<li class="hint" data-history-none>${esc(t(lang, "historyNone"))}</li>`);
      return;
    }
    setHtml(el("history-list"), items.map((i) => `<li><button type="button" data-history="${i.id}">`
      + `<span class="badge priority-${i.priority}">P${i.priority}</span> #${i.id} ${esc(t(lang, "t_" + i.incident_type))}`
      + ` — ${esc(i.desa.nama || "")} · ${esc(t(lang, "i_" + i.status))} · ${esc(formatWib(i.created_at))}</button>`
      + ` <a href="/replay/${Number(i.id)}" target="_blank" rel="noopener">${esc(t(lang, "replay"))}</a></li>`).join(""));
  });

  // the Kinerja agency groups and the agencies (dispatch_geo Agency) each stands for
  const AGENCIES = { psc_119: ["psc_119", "rsud", "puskesmas"], damkar: ["damkar"], polres: ["polres", "polsek"], bpbd: ["bpbd"] };
  function query() {
    const query = new URLSearchParams([["status", "closed"], ["status", "cancelled"]]);
    if (el("history-from").value) { query.append("from", `${el("history-from").value}T00:00:00${WIB_OFFSET}`); }
    if (el("history-to").value) { query.append("to", nextDay(el("history-to").value) + `T00:00:00${WIB_OFFSET}`); }
    if (el("history-type").value) { query.append("incident_type", el("history-type").value); }
    if (el("history-kecamatan").value) { query.append("kecamatan", el("history-kecamatan").value); }
    if (el("history-q").value.trim()) { query.append("q", el("history-q").value.trim()); }
    for (const agency of AGENCIES[el("history-agency").value] || []) { query.append("agency", agency); }
    if (el("history-unit").value.trim()) { query.append("unit", el("history-unit").value.trim().toUpperCase()); }
    return query;
  }
  function renderAgencies(lang) {
    const current = el("history-agency").value;
    setHtml(el("history-agency"), `<option value="">${esc(t(lang, "h_agencyAny"))}</option>`
      + Object.keys(AGENCIES).map((a) => `<option value="${a}">${esc(t(lang, "ag_" + a))}</option>`).join(""));
    el("history-agency").value = current;
  }
  renderAgencies(store.get().lang);
  store.subscribe((state, keys) => { if (keys.has("lang")) { renderAgencies(state.lang); } });

  el("history-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    store.clearErrors();
    try {
      store.setHistory(await api.get("/incidents?" + query().toString()));
    } catch (error) {
      store.addError("history", errorValue(error));
    }
  });
  async function download(format) {
    store.clearErrors();
    const q = query();
    q.append("format", format);
    try {
      const response = await fetch(`${API_ROOT}/incidents?${q}`, { headers: { Authorization: "Bearer " + store.get().token } });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new ApiError({ status: response.status, code: data.code, params: data.params, detail: data.detail });
      }
      const link = Object.assign(document.createElement("a"), {
        href: URL.createObjectURL(await response.blob()), download: `siaga-riwayat.${format}`,
      });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 5000);
    } catch (error) {
      store.addError("history", errorValue(error));
    }
  }
  el("history-csv").addEventListener("click", () => download("csv"));
  el("history-xlsx").addEventListener("click", () => download("xlsx"));
  el("history-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-history]");
    if (button) { onOpen(Number(button.dataset.history)); }
  });
  onDismiss(el("history-errors"), store);
  return {
    /** The kecamatan to filter by (``[{kode, nama}]``), once the map has loaded them. */
    setKecamatan(kecamatan) {
      holder.kecamatan = kecamatan.map((k) => [k.kode, k.nama]).sort((a, b) => a[1].localeCompare(b[1], "id"));
      renderFilters(store.get().lang);
    },
  };
}
