// "Riwayat": closed and cancelled incidents, by date range (WIB days) and text, each opening the
// incident panel and linking to its replay. Shown only when the server offers the search
// (GET /incidents with q, from, to; see features.js).

import { escapeHtml as esc, formatWib, t } from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { errorValue } from "../api.js";

const WIB_OFFSET = "+07:00";

/** "2026-11-30" → "2026-12-01": the API's `to` is exclusive, the dispatcher's "Sampai" day is included. */
function nextDay(isoDate) {
  const day = new Date(isoDate + "T00:00:00Z");
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

export function createHistory({ store, api, features, onOpen }) {
  const section = el("history");
  section.hidden = !features.history;
  if (!features.history) { return; }

  store.subscribe((state, keys) => {
    if (!["history", "lang", "errors"].some((k) => keys.has(k))) { return; }
    const lang = state.lang;
    setHtml(el("history-errors"), errorsHtml(lang, state.errors, "history"));
    const items = state.history || [];
    setHtml(el("history-list"), items.map((i) => `<li><button type="button" data-history="${i.id}">`
      + `<span class="badge priority-${i.priority}">P${i.priority}</span> #${i.id} ${esc(t(lang, "t_" + i.incident_type))}`
      + ` — ${esc(i.desa.nama || "")} · ${esc(t(lang, "i_" + i.status))} · ${esc(formatWib(i.created_at))}</button>`
      + ` <a href="/replay/${Number(i.id)}" target="_blank" rel="noopener">${esc(t(lang, "replay"))}</a></li>`).join(""));
  });

  el("history-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    store.clearErrors();
    const query = new URLSearchParams([["status", "closed"], ["status", "cancelled"]]);
    if (el("history-from").value) { query.append("from", `${el("history-from").value}T00:00:00${WIB_OFFSET}`); }
    if (el("history-to").value) { query.append("to", nextDay(el("history-to").value) + `T00:00:00${WIB_OFFSET}`); }
    if (el("history-q").value.trim()) { query.append("q", el("history-q").value.trim()); }
    try {
      store.setHistory(await api.get("/incidents?" + query.toString()));
    } catch (error) {
      store.addError("history", errorValue(error));
    }
  });
  el("history-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-history]");
    if (button) { onOpen(Number(button.dataset.history)); }
  });
  onDismiss(el("history-errors"), store);
}
