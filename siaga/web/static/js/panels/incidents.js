// Open incidents: one line each, most urgent first; a click opens the incident panel. A P1 with no
// unit 60 s after creation is highlighted and, once per incident, beeps.

import { escapeHtml as esc, formatWib, t } from "../i18n.js";
import { el, setHtml } from "../dom.js";
import { isOverdue } from "../alarm.js";

export function createIncidentList({ store, beeper, onOpen }) {
  store.subscribe((state, keys) => {
    if (!["incidents", "lang", "openIncidentId"].some((k) => keys.has(k))) { return; }
    const lang = state.lang;
    const now = Date.now();
    const lines = state.incidents.map((i) => {
      const overdue = isOverdue(i, now);
      const cls = [overdue ? "overdue" : "", i.id === state.openIncidentId ? "open" : ""].join(" ").trim();
      return `<li><button type="button" data-incident="${i.id}" class="${cls}" data-overdue="${overdue}">`
        + `<span class="badge priority-${i.priority}">P${i.priority}</span> #${i.id} ${esc(t(lang, "t_" + i.incident_type))}`
        + ` — ${esc(i.desa.nama || "")} · ${esc(t(lang, "i_" + i.status))} · ${esc(formatWib(i.created_at, { timeOnly: true }))}`
        + (overdue ? ` <strong class="overdue-text">${esc(t(lang, "overdue"))}</strong>` : "")
        + "</button></li>";
    });
    setHtml(el("incident-list"), lines.join("") || `<li class="hint">${esc(t(lang, "noIncidents"))}</li>`);
    if (keys.has("incidents")) {
      for (const i of state.incidents) {
        if (isOverdue(i, now) && !state.alerted.includes(i.id)) {
          store.markAlerted(i.id);
          beeper.beep();
        }
      }
    }
  });

  el("incident-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-incident]");
    if (button) { onOpen(Number(button.dataset.incident)); }
  });
}
