// The crew page's panels as HTML strings from the state (pure; crew.js puts them in the page).

import { escapeHtml as esc, formatEta, formatKm, formatWib, t, tServer } from "./i18n.js";
import { errorText } from "./dom.js";

export function stateHtml(lang, view) {
  return `<span class="status-now" data-crew-status="${esc(view.unit_status)}">${esc(t(lang, "s_" + view.unit_status))}</span>`;
}

export function assignmentHtml(lang, view) {
  const inc = view.incident;
  if (!inc) { return `<div class="card" data-crew-idle="1"><h2>${esc(t(lang, "crew_no_assignment"))}</h2></div>`; }
  const place = [inc.desa, inc.kecamatan].filter(Boolean).join(", ");
  const rows = [
    [t(lang, "location"), inc.address || place],
    [t(lang, "landmark"), inc.landmark],
    [t(lang, "crew_victims"), inc.victims == null ? "" : String(inc.victims)],
    [t(lang, "notes"), inc.description],
    [t(lang, "crew_assigned_at"), formatWib(inc.assigned_at, { timeOnly: true })],
  ].filter(([, value]) => value);
  const phone = inc.caller_phone
    ? `<dt>${esc(t(lang, "phone"))}</dt><dd><a href="tel:${esc(inc.caller_phone)}" data-crew-callback="1">${esc(inc.caller_phone)}</a></dd>` : "";
  return `<div class="card p${Number(inc.priority)}" data-crew-incident="${Number(inc.incident_id)}">`
    + `<h2>${esc(t(lang, "t_" + inc.incident_type))} · ${esc(t(lang, "p_" + inc.priority))}</h2>`
    + `<small>${esc(t(lang, "incident"))} #${Number(inc.incident_id)}</small>`
    + `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}${phone}</dl>`
    + targetHtml(lang, view) + `</div>`;
}

function targetHtml(lang, view) {
  const target = view.target;
  const where = target.kind === "facility" ? t(lang, "crew_to_hospital", { name: target.name }) : t(lang, "crew_to_incident");
  const approx = target.approximate ? ` (${t(lang, "approxShort")})` : "";
  const eta = view.route
    ? `<div class="eta" data-crew-eta="${view.route.eta_min}">~${esc(formatEta(lang, view.route.eta_min * 60))} · ${esc(formatKm(lang, view.route.distance_km * 1000))}</div>`
    : `<div class="hint" data-crew-eta="">${esc(t(lang, view.position ? "crew_no_route" : "crew_no_fix"))}</div>`;
  const schematic = view.schematic ? ` <span class="schematic">${esc(t(lang, "schematic"))}</span>` : "";
  return `<p data-crew-target="${esc(target.kind)}:${esc(target.id)}"><strong>${esc(where + approx)}</strong>${schematic}</p>${eta}`;
}

export function navHtml(lang, view) {
  if (!view.target) { return ""; }
  const nav = view.target.navigation;
  return `<a class="primary" href="${esc(nav.geo)}" data-crew-nav="geo">${esc(t(lang, "crew_navigate"))}</a>`
    + `<a href="${esc(nav.google_maps)}" target="_blank" rel="noopener" data-crew-nav="google">Google Maps</a>`
    + `<a href="${esc(nav.osmand)}" target="_blank" rel="noopener" data-crew-nav="osmand">OsmAnd</a>`;
}

export function buttonsHtml(lang, view, busy) {
  const proposal = view.proposal;
  const banner = proposal ? `<p class="proposal" data-crew-proposal="${esc(proposal.status)}">`
    + `${esc(t(lang, "crew_proposal", { seconds: proposal.inside_s, radius: proposal.radius_m, status: t(lang, "s_" + proposal.status) }))}</p>` : "";
  return banner + view.next_statuses.map((s) => `<button type="button" class="big${proposal && proposal.status === s ? " proposed" : ""}"`
    + ` data-status="${esc(s)}"${busy ? " disabled" : ""}>${esc(t(lang, "s_" + s))}</button>`).join("");
}

export function hospitalsHtml(lang, view) {
  if (!view.hospitals.length) { return `<p>${esc(t(lang, "noHospital"))}</p>`; }
  return `<h2>${esc(t(lang, "chooseHospital"))}</h2>` + view.hospitals.map((h) => {
    const eta = h.eta_min == null ? "" : ` ~${formatEta(lang, h.eta_min * 60)}`;
    const approx = h.approximate ? ` (${t(lang, "approxShort")})` : "";
    return `<button type="button" class="big" data-hospital="${esc(h.id)}">${esc(h.name + eta + approx)}</button>`;
  }).join("") + `<button type="button" class="big secondary" data-hospital-cancel="1">${esc(t(lang, "back"))}</button>`;
}

export function confirmHtml(lang, pending) {
  return `<div class="card"><p>${esc(tServer(lang, "arrival_far", pending.params, pending.detail))}</p>`
    + `<button type="button" class="big" data-confirm-far="1">${esc(t(lang, "crew_far_yes"))}</button>`
    + `<button type="button" class="big secondary" data-confirm-cancel="1">${esc(t(lang, "back"))}</button></div>`;
}

export function errorsHtml(lang, errors) {
  return errors.map((e, i) => `<p class="message error" role="alert" data-error="${i}">`
    + `<button type="button" class="dismiss" data-dismiss="${i}" aria-label="${esc(t(lang, "dismiss"))}">×</button>`
    + `${esc(errorText(lang, e))}</p>`).join("");
}
