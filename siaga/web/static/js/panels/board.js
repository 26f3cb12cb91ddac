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

  // The board is built once per set of units and then updated cell by cell: the age ticks every
  // second, and a full re-render would replace the "Siaga" button under the dispatcher's pointer
  // (the click lost) and re-open an agency the dispatcher had folded.
  function skeleton(board, agencies, groups) {
    const folded = new Set([...board.querySelectorAll("details[data-agency]:not([open])")].map((d) => d.dataset.agency));
    board.innerHTML = agencies.map((agency) => {
      const rows = groups[agency].map((u) => `<tr data-unit-row="${esc(u.id)}"><td>${esc(u.id)}</td>`
        + "<td data-board-cell=\"status\"></td><td data-board-cell=\"age\"></td></tr>").join("");
      return `<details data-agency="${esc(agency)}"${folded.has(agency) ? "" : " open"}>`
        + `<summary>${esc(agency.toUpperCase())} (${groups[agency].length})</summary><table>${rows}</table></details>`;
    }).join("");
  }

  function render(lang, units) {
    const board = el("status-board");
    const groups = {};
    for (const u of units) { (groups[u.agency] = groups[u.agency] || []).push(u); }
    const agencies = Object.keys(groups).sort();
    for (const agency of agencies) { groups[agency].sort((a, b) => a.id.localeCompare(b.id)); }
    const shape = JSON.stringify([lang, agencies.map((a) => [a, groups[a].map((u) => u.id)])]);
    if (board.siagaShape !== shape) {
      skeleton(board, agencies, groups);
      board.siagaShape = shape;
    }
    const rows = new Map([...board.querySelectorAll("tr[data-unit-row]")].map((r) => [r.dataset.unitRow, r]));
    for (const u of units) {
      const row = rows.get(u.id);
      if (!row) { continue; }
      const stale = u.stale ? "stale-row" : "";
      if (row.className !== stale) { row.className = stale; }
      const status = UNIT_STATUSES.includes(u.status) ? u.status : "unknown";
      setHtml(row.querySelector("[data-board-cell='status']"),
        `<span class="dot status-${status}"></span>${esc(t(lang, "s_" + u.status))}${backButton(lang, u)}`);
      setHtml(row.querySelector("[data-board-cell='age']"), `${esc(formatAge(lang, u.fix_age_s))}${u.stale ? " ⚠" : ""}`);
    }
  }

  store.subscribe((state, keys) => {
    if (keys.has("errors") || keys.has("lang")) { setHtml(el("board-errors"), errorsHtml(state.lang, state.errors, "board")); }
    if (keys.has("units") || keys.has("lang")) { render(state.lang, state.units); }
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
