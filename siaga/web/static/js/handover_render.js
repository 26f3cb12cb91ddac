// The handover summary of a shift as HTML (pure: data + language in, a string out), used on screen and
// for the self-contained file the supervisor downloads (inline CSS, no script, no network: opens from
// file://). Every word from the catalogue; times in WIB.

import { escapeHtml as esc, formatWib, t } from "./i18n.js";

export const STANDALONE_CSS = `body{font:14px/1.4 system-ui,"Segoe UI",Roboto,sans-serif;margin:16px 24px;color:#1b1b1b}
h1{font-size:20px}h2{font-size:16px;margin-top:18px;border-bottom:1px solid #ccc}ul{padding-left:18px}
.notes{white-space:pre-wrap;background:#f6f6f6;padding:8px}table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}.hint{color:#555}`;

function incidentLine(lang, item) {
  const place = [item.desa, item.kecamatan].filter(Boolean).join(", ");
  const units = item.units.length
    ? item.units.map((u) => u.unit_id + (u.status ? ` (${t(lang, "s_" + u.status)})` : u.released ? ` (${t(lang, "released")})` : "")).join(", ")
    : t(lang, "noUnit");
  return `<li data-handover-incident="${item.id}">#${item.id} ${esc(t(lang, "t_" + item.incident_type))} `
    + `${esc(t(lang, "p_" + item.priority))} — ${esc(place)} — ${esc(t(lang, "i_" + item.status))} — `
    + `${esc(t(lang, "hoUnits"))}: ${esc(units)} — ${esc(t(lang, "hoCreated"))} ${esc(formatWib(item.created_at))} `
    + `${esc(t(lang, "hoBy"))} ${esc(item.created_by)}</li>`;
}

function list(lang, titleKey, items, line, id) {
  const body = items.length ? `<ul>${items.map(line).join("")}</ul>` : `<p>${esc(t(lang, "hoNone"))}</p>`;
  return `<section id="${id}"><h2>${esc(t(lang, titleKey))} (${items.length})</h2>${body}</section>`;
}

function p1Table(lang, items) {
  if (!items.length) { return `<p>${esc(t(lang, "hoNone"))}</p>`; }
  const head = ["incident", "hoCall", "hoCreated", "hoAssigned", "hoOnScene", "hoClosedAt"].map((k) => `<th>${esc(t(lang, k))}</th>`).join("");
  const cell = (iso) => `<td>${iso ? esc(formatWib(iso)) : "—"}</td>`;
  const rows = items.map((i) => `<tr data-p1="${i.id}"><td>#${i.id} ${esc(t(lang, "t_" + i.incident_type))}</td>`
    + cell(i.call_received_at) + cell(i.created_at) + cell(i.first_assigned_at) + cell(i.first_on_scene_at) + cell(i.closed_at) + "</tr>").join("");
  return `<table><tr>${head}</tr>${rows}</table>`;
}

/** The handover (GET /shifts/{id}/handover) as an HTML fragment in `lang`. */
export function handoverHtml(lang, data) {
  const { shift, summary } = data;
  const closed = shift.closed_at ? t(lang, "hoClosedBy", { at: formatWib(shift.closed_at), by: shift.closed_by }) : t(lang, "hoLive");
  const ack = shift.acknowledged_at ? t(lang, "acknowledgedBy", { at: formatWib(shift.acknowledged_at), by: shift.acknowledged_by })
    : t(lang, "notAcknowledged");
  const members = shift.members.map((m) => (m.desk ? `${m.username}@${m.desk}` : m.username)).join(", ");
  const stale = (u) => `<li>${esc(u.unit_id)} (${esc(u.device_id)}) — ${u.last_fix_time
    ? esc(t(lang, "hoLastFix") + " " + formatWib(u.last_fix_time)) : esc(t(lang, "hoNeverFix"))}</li>`;
  const oos = (u) => `<li>${esc(u.unit_id)} ${esc(t(lang, "u_" + u.unit_type))} — ${esc(t(lang, "hoSince"))} ${esc(formatWib(u.since))}</li>`;
  return `<h1 id="handover-title">${esc(t(lang, "handoverOf", { name: shift.name, id: shift.id }))}</h1>`
    + `<p>${esc(t(lang, "hoPeriod"))}: ${esc(formatWib(summary.start))} – ${esc(formatWib(summary.end))}<br>`
    + `${esc(t(lang, "shiftOpenedBy", { at: formatWib(shift.opened_at), by: shift.opened_by }))}<br>${esc(closed)}<br>`
    + `<strong id="handover-ack">${esc(ack)}</strong></p>`
    + `<p>${esc(t(lang, "members"))}: ${esc(members)}</p>`
    + `<section id="handover-notes"><h2>${esc(t(lang, "hoNotes"))}</h2><div class="notes">${esc(data.notes || t(lang, "hoNone"))}</div></section>`
    + list(lang, "hoStillOpen", summary.still_open, (i) => incidentLine(lang, i), "ho-still-open")
    + `<section id="ho-p1"><h2>${esc(t(lang, "hoP1"))} (${summary.p1.length})</h2>${p1Table(lang, summary.p1)}</section>`
    + list(lang, "hoOpened", summary.opened, (i) => incidentLine(lang, i), "ho-opened")
    + list(lang, "hoClosed", summary.closed, (i) => incidentLine(lang, i), "ho-closed")
    + list(lang, "hoOutOfService", summary.out_of_service, oos, "ho-oos")
    + list(lang, "hoStale", summary.stale, stale, "ho-stale");
}

/** A complete, self-contained HTML document of the handover (for the download). */
export function handoverDocument(lang, data) {
  return `<!DOCTYPE html>\n<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(t(lang, "handoverOf", { name: data.shift.name, id: data.shift.id }))}</title>`
    + `<style>${STANDALONE_CSS}</style></head><body>${handoverHtml(lang, data)}</body></html>\n`;
}
