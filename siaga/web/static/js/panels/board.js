// Status board: every unit by agency, its status and the age of its last position.

import { escapeHtml as esc, formatAge, t, UNIT_STATUSES } from "../i18n.js";
import { el, setHtml } from "../dom.js";

export function createBoard({ store }) {
  store.subscribe((state, keys) => {
    if (!keys.has("units") && !keys.has("lang")) { return; }
    const lang = state.lang;
    const groups = {};
    for (const u of state.units) { (groups[u.agency] = groups[u.agency] || []).push(u); }
    setHtml(el("status-board"), Object.keys(groups).sort().map((agency) => {
      const rows = [...groups[agency]].sort((a, b) => a.id.localeCompare(b.id)).map((u) => `
        <tr class="${u.stale ? "stale-row" : ""}" data-unit-row="${esc(u.id)}">
          <td>${esc(u.id)}</td><td><span class="dot status-${UNIT_STATUSES.includes(u.status) ? u.status : "unknown"}"></span>${esc(t(lang, "s_" + u.status))}</td>
          <td>${esc(formatAge(lang, u.fix_age_s))}${u.stale ? " ⚠" : ""}</td></tr>`).join("");
      return `<details open><summary>${esc(agency.toUpperCase())} (${groups[agency].length})</summary><table>${rows}</table></details>`;
    }).join(""));
  });
}
