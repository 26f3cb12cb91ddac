// Status board: every unit by agency, its status and the age of its last position. A unit that is
// returning or out of service, and so on no incident, can be set available here ("Siaga") when the
// crew reports back on the radio; the status the dispatcher saw travels with the click (a 409 if the
// unit moved on meanwhile).

import { escapeHtml as esc, formatAge, t, UNIT_STATUSES } from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { errorValue } from "../api.js";

const BACK_IN_SERVICE_FROM = ["returning", "out_of_service"];

export function createBoard({ store, api, refreshNow }) {
  function backButton(lang, u) {
    if (!BACK_IN_SERVICE_FROM.includes(u.status) || !(u.next_statuses || []).includes("available")) { return ""; }
    return ` <button type="button" class="status-button" data-board-status="${esc(u.id)}" data-to="available"`
      + ` data-from="${esc(u.status)}">${esc(t(lang, "s_available"))}</button>`;
  }

  store.subscribe((state, keys) => {
    if (keys.has("errors") || keys.has("lang")) { setHtml(el("board-errors"), errorsHtml(state.lang, state.errors, "board")); }
    if (!keys.has("units") && !keys.has("lang")) { return; }
    const lang = state.lang;
    const groups = {};
    for (const u of state.units) { (groups[u.agency] = groups[u.agency] || []).push(u); }
    setHtml(el("status-board"), Object.keys(groups).sort().map((agency) => {
      const rows = [...groups[agency]].sort((a, b) => a.id.localeCompare(b.id)).map((u) => `
        <tr class="${u.stale ? "stale-row" : ""}" data-unit-row="${esc(u.id)}">
          <td>${esc(u.id)}</td><td><span class="dot status-${UNIT_STATUSES.includes(u.status) ? u.status : "unknown"}"></span>${esc(t(lang, "s_" + u.status))}${backButton(lang, u)}</td>
          <td>${esc(formatAge(lang, u.fix_age_s))}${u.stale ? " ⚠" : ""}</td></tr>`).join("");
      return `<details open><summary>${esc(agency.toUpperCase())} (${groups[agency].length})</summary><table>${rows}</table></details>`;
    }).join(""));
  });

  el("status-board").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-board-status]");
    if (!button) { return; }
    store.clearErrors();
    button.disabled = true;
    try {
      await api.post(`/units/${encodeURIComponent(button.dataset.boardStatus)}/status`, {
        status: button.dataset.to, expected_status: button.dataset.from,
      });
      await refreshNow();
    } catch (error) {
      store.addError("board", errorValue(error));
    } finally {
      button.disabled = false;
    }
  });
  onDismiss(el("board-errors"), store);
}
