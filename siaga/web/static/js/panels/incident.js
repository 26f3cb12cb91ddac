// The incident panel: one incident from intake to close. Details, what is still needed, the
// recommendation with its assign buttons, the assigned units with their status (and the next legal
// statuses as buttons when the server offers them), notes, adding unit types, close/cancel with a
// reason, and the timeline. It opens for any incident (new, from the list, a colleague's, after a reload).

import {
  escapeHtml as esc, formatEta, formatKm, formatNumber, formatWib, has, requirementText, t, tServer, UNIT_STATUSES,
  UNIT_TYPES,
} from "../i18n.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { errorValue, newestOnly } from "../api.js";
import { timelineText } from "../timeline.js";

const SERVICE_OF = {
  ambulance: "ambulance", fire_engine: "fire", water_tanker: "fire", police_car: "police", police_motorbike: "police",
};
const FINAL = ["closed", "cancelled"];
// the API's reason codes (dispatch_geo CloseReason / CancelReason); the server's own list wins when it sends one
const CLOSE_REASONS = ["resolved", "transported", "handed_over", "false_alarm", "no_patient_found", "other"];
const CANCEL_REASONS = ["duplicate", "false_alarm", "caller_cancelled", "resolved_before_arrival", "other"];

/** A server text that is either a plain (English) string or {code, params, text}. */
function serverText(lang, item) {
  if (item && typeof item === "object") { return tServer(lang, item.code, item.params, item.text ?? item.detail ?? ""); }
  return String(item ?? "");
}

export function createIncidentPanel({ store, api, features, mapView, refreshNow }) {
  const panel = el("incident-panel");

  // --- rendering ------------------------------------------------------------------------------------
  function renderHead(state) {
    const i = state.incident;
    const lang = state.lang;
    setHtml(el("incident-title"), i ? `<span class="badge priority-${i.priority}">P${i.priority}</span> `
      + `${esc(t(lang, "incident"))} #${i.id} · ${esc(t(lang, "t_" + i.incident_type))}`
      + ` · <span data-incident-status="${esc(i.status)}">${esc(t(lang, "i_" + i.status))}</span>`
      : `${esc(t(lang, "incident"))} #${state.openIncidentId}`);
  }

  function renderDetails(state) {
    const i = state.incident;
    const lang = state.lang;
    if (!i) { setHtml(el("incident-details"), ""); return; }
    const row = (key, value) => (value == null || value === "" ? "" : `<dt>${esc(t(lang, key))}</dt><dd>${esc(value)}</dd>`);
    const where = [i.desa && i.desa.nama, i.kecamatan && i.kecamatan.nama].filter(Boolean).join(", ");
    const needs = i.outstanding_needs || i.outstanding;  // coded needs when the server sends them
    const outstanding = needs.length
      ? `<ul class="outstanding">${needs.map((o) => `<li>${esc(requirementText(lang, o))}</li>`).join("")}</ul>`
      : `<p class="hint">${esc(t(lang, "noOutstanding"))}</p>`;
    setHtml(el("incident-details"), `<dl class="facts">`
      + row("priority", t(lang, "p_" + i.priority))
      + row("location", where) + row("place", i.address) + row("landmark", i.landmark)
      + row("callerName", i.caller_name) + row("phone", i.caller_phone)
      + row("victims", i.victims == null ? null : formatNumber(i.victims))
      + row("notes", i.description) + row("createdAt", `${formatWib(i.created_at)} · ${i.created_by}`)
      + `</dl><h4>${esc(t(lang, "outstanding"))}</h4>${outstanding}`);
  }

  function renderRecommendation(state) {
    const lang = state.lang;
    const rec = state.recommendation;
    const i = state.incident;
    if (!rec || (i && FINAL.includes(i.status))) {
      const button = i && !FINAL.includes(i.status) && i.outstanding.length
        ? `<button type="button" id="re-recommend" class="secondary">${esc(t(lang, "reRecommend"))}</button>` : "";
      setHtml(el("recommendation"), button);
      return;
    }
    const parts = [`<div class="panel-row"><h4>${esc(t(lang, "recommended"))}</h4>`
      + `<button type="button" id="re-recommend" class="secondary">${esc(t(lang, "reRecommend"))}</button></div>`];
    if (rec.schematic) { parts.push(`<p class="banner">${esc(t(lang, "schematicLabel"))}</p>`); }
    (rec.note_codes || rec.notes).forEach((n) => parts.push(`<p class="hint">${esc(serverText(lang, n))}</p>`));
    rec.groups.forEach((group) => {
      parts.push(`<h3>${esc(requirementText(lang, group))}</h3><ol class="ranked">`);
      const offered = [...group.ranked, ...group.stale];
      if (!offered.length) { parts.push(`<li>${esc(t(lang, "noUnits"))}</li>`); }
      offered.forEach((u) => {
        const impact = state.moveUp[u.unit_id];
        const focused = state.routeFocus === u.unit_id ? " route-focus" : "";
        parts.push(`<li class="${u.stale ? "stale-row" : ""}${focused}" data-offer="${esc(u.unit_id)}" tabindex="0" title="${esc(t(lang, "showRoute"))}"><b>${esc(u.unit_id)}</b>`
          + ` ${esc(t(lang, "u_" + u.unit_type))} · ${esc(formatEta(lang, u.eta_s))} · ${esc(formatKm(lang, u.distance_m))}`
          + `${u.stale ? " · " + esc(t(lang, "stale")) : ""}`
          + ` <button type="button" data-assign="${esc(u.unit_id)}" data-incident="${rec.incident_id}">${esc(t(lang, "assign"))}</button>`
          + (SERVICE_OF[u.unit_type] ? ` <button type="button" class="link" data-moveup="${esc(u.unit_id)}" data-service="${SERVICE_OF[u.unit_type]}">${esc(t(lang, "coverImpact"))}</button>` : "")
          + `<div class="hint" data-moveup-result="${esc(u.unit_id)}">${impact ? esc(moveUpText(lang, impact)) : ""}</div></li>`);
      });
      parts.push("</ol>");
      if (group.excluded.length) {
        parts.push(`<details><summary>${esc(t(lang, "leftOut"))} (${group.excluded.length})</summary><ul class="excluded">`
          + group.excluded.map((x) => `<li>${esc(x.unit_id)}: ${esc(tServer(lang, x.reason_code || x.reason, x.params, x.detail))}</li>`).join("")
          + "</ul></details>");
      }
      (group.warning_codes || group.warnings).forEach((w) => parts.push(`<p class="error">${esc(serverText(lang, w))}</p>`));
    });
    setHtml(el("recommendation"), parts.join(""));
  }

  function moveUpText(lang, impact) {
    if (impact.error) { return tServer(lang, impact.error.code, impact.error.params, impact.error.detail); }
    const lost = impact.villages_losing_cover;
    if (!lost.length) { return t(lang, "noCoverLoss"); }
    const names = lost.slice(0, 5).map((v) => v.nama).join(", ");
    return `${t(lang, "losesCover")}: ${formatNumber(lost.length)} desa, ${formatNumber(Math.round(impact.population_losing_cover))}`
      + ` ${t(lang, "people")} (${names}${lost.length > 5 ? ", …" : ""})`;
  }

  function renderAssigned(state) {
    const lang = state.lang;
    const byId = new Map(state.units.map((u) => [u.id, u]));
    const rows = state.assignments.map((a) => {
      const unit = byId.get(a.unit_id);
      const status = unit ? unit.status : "unknown";
      const released = a.released_at != null;
      const next = !released && unit && Array.isArray(unit.next_statuses) ? unit.next_statuses : [];
      // the status and incident the dispatcher sees travel with the click: if the unit has moved on
      // meanwhile (a late click, a colleague, the crew), the server answers 409 and changes nothing
      // "Transporting" first asks where to (the hospital chooser), when the server knows facilities
      const asks = (s) => s === "transporting" && features.facilities;
      const buttons = next.map((s) => `<button type="button" class="status-button" `
        + `${asks(s) ? "data-choose-destination" : "data-unit-status"}="${esc(a.unit_id)}"`
        + ` data-to="${esc(s)}" data-from="${esc(status)}" data-expected-incident="${esc(a.incident_id)}">`
        + `${esc(t(lang, "s_" + s))}</button>`).join(" ");
      const chooser = !released && state.chooser && state.chooser.unitId === a.unit_id ? chooserHtml(lang, state.chooser) : "";
      const assignedAt = formatWib(a.assigned_at, { timeOnly: true });
      return `<li data-assigned="${esc(a.unit_id)}"${released ? ' class="released"' : ""}><b>${esc(a.unit_id)}</b> `
        + (released
          ? `<span class="hint">${esc(assignedAt)} – ${esc(t(lang, "released"))} ${esc(formatWib(a.released_at, { timeOnly: true }))}</span>`
          : `<span class="dot status-${UNIT_STATUSES.includes(status) ? status : "unknown"}"></span>`
            + `<span data-unit-status-text="${esc(status)}">${esc(t(lang, "s_" + status))}</span>`
            + ` <span class="hint">${esc(assignedAt)}</span>`)
        + (!released && unit && unit.destination ? destinationHtml(lang, unit.destination) : "")
        + (buttons ? `<div class="status-buttons">${buttons}</div>` : "") + chooser + "</li>";
    });
    setHtml(el("assigned"), `<h4>${esc(t(lang, "assignedUnits"))}</h4>`
      + (rows.length ? `<ul class="assigned-units">${rows.join("")}</ul>` : `<p class="hint">${esc(t(lang, "noAssigned"))}</p>`));
  }

  /** "→ RSUD Tengku Rafian, ~12 mnt" (and "perkiraan" when the hospital's point is approximate). */
  function destinationHtml(lang, d) {
    const text = d.eta_min == null ? t(lang, "destinationNoEta", { name: d.name })
      : t(lang, "destinationLine", { name: d.name, eta: formatNumber(Math.max(1, Math.round(d.eta_min))), minutes: t(lang, "minutes") });
    return `<div class="destination-line" data-destination="${esc(d.id)}">${esc(text)}`
      + (d.approximate ? ` <span class="approx-word">(${esc(t(lang, "approxShort"))})</span>` : "") + "</div>";
  }

  /** The hospitals to choose from, nearest first by road from the unit, with their ETA. */
  function chooserHtml(lang, c) {
    const items = (c.options || []).map((f) => `<li><button type="button" data-destination-choice="${esc(f.id)}">`
      + `${esc(f.name)}</button> ${esc(f.eta_min == null ? t(lang, "noRoute") : "~" + formatNumber(Math.max(1, Math.round(f.eta_min))) + " " + t(lang, "minutes"))}`
      + (f.distance_km == null ? "" : ` · ${esc(formatKm(lang, f.distance_km * 1000))}`)
      + (f.approximate ? ` <span class="approx-word">(${esc(t(lang, "approxShort"))})</span>` : "") + "</li>");
    const body = c.loading ? "…" : items.length ? `<ol>${items.join("")}</ol>` : `<p class="hint">${esc(t(lang, "noHospital"))}</p>`;
    return `<div class="hospital-chooser" data-chooser="${esc(c.unitId)}"><b>${esc(t(lang, "chooseHospital"))}</b>${body}`
      + `<button type="button" class="secondary" data-chooser-cancel>${esc(t(lang, "back"))}</button></div>`;
  }

  function renderActions(state) {
    const lang = state.lang;
    const i = state.incident;
    if (!i) { setHtml(el("incident-actions"), ""); return; }
    const parts = [];
    const open = !FINAL.includes(i.status);
    if (open) {
      parts.push(`<div class="panel-row add-unit"><label>${esc(t(lang, "addUnits"))} <select id="add-unit-type">`
        + UNIT_TYPES.map((u) => `<option value="${u}">${esc(t(lang, "u_" + u))}</option>`).join("")
        + `</select></label><button type="button" id="add-unit">${esc(t(lang, "add"))}</button></div>`);
    }
    if (features.notes) {  // notes at any time, also after the incident is finished
      parts.push(`<label>${esc(t(lang, "addNote"))} <textarea id="note-text" rows="2"></textarea></label>`
        + `<button type="button" id="add-note">${esc(t(lang, "save"))}</button>`);
    }
    if (open) {
      const canClose = i.status === "on_scene";
      const canCancel = i.status === "new" || i.status === "dispatched";
      const known = features.finishReasons || { close: CLOSE_REASONS, cancel: CANCEL_REASONS };
      const reasons = canClose ? known.close : canCancel ? known.cancel : [];
      parts.push(`<details class="finish"><summary>${esc(t(lang, "finish"))}</summary>`
        + `<label>${esc(t(lang, "reason"))} <select id="finish-reason">`
        + reasons.map((r) => `<option value="${esc(r)}">${esc(has(lang, "r_" + r) ? t(lang, "r_" + r) : r)}</option>`).join("")
        + "</select></label>"
        + `<label>${esc(t(lang, "note"))} <textarea id="finish-note" rows="2"></textarea></label>`
        + (canClose ? `<button type="button" data-finish="close">${esc(t(lang, "close"))}</button> ` : "")
        + (canCancel ? `<button type="button" data-finish="cancel" class="secondary">${esc(t(lang, "cancel"))}</button>` : "")
        + "</details>");
    }
    setHtml(el("incident-actions"), parts.join(""));
  }

  function renderTimeline(state) {
    const lang = state.lang;
    const id = state.openIncidentId;
    setHtml(el("timeline"), `<h3>${esc(t(lang, "timeline"))} #${id} <a href="/replay/${Number(id)}" target="_blank" rel="noopener">`
      + `${esc(t(lang, "replay"))}</a></h3><ol class="timeline">`
      + state.timeline.map((e) => `<li data-kind="${esc(e.kind)}"><time>${esc(formatWib(e.at, { timeOnly: true }))}</time> `
        + `${esc(timelineText(lang, e, state.incident))}${e.by ? ` <small>(${esc(e.by)})</small>` : ""}</li>`).join("")
      + "</ol>");
  }

  store.subscribe((state, keys) => {
    const any = (...names) => names.some((k) => keys.has(k));
    panel.hidden = state.openIncidentId == null;
    if (state.openIncidentId == null) { return; }
    if (any("incident", "lang", "openIncidentId")) { renderHead(state); renderDetails(state); renderActions(state); }
    if (any("recommendation", "moveUp", "incident", "lang", "openIncidentId")) { renderRecommendation(state); }
    if (any("assignments", "units", "lang", "openIncidentId", "chooser")) { renderAssigned(state); }
    if (any("timeline", "incident", "lang", "openIncidentId")) { renderTimeline(state); }
    if (any("errors", "lang")) { setHtml(el("incident-errors"), errorsHtml(state.lang, state.errors, "incident")); }
  });

  // --- actions ------------------------------------------------------------------------------------------
  const detailOrder = newestOnly();
  /** The incident, its assignments and timeline; ``listed`` (a promise of the open incidents the poll
   * fetches anyway) spares asking for an incident that is among them. */
  async function loadDetail(id = store.get().openIncidentId, { listed = null } = {}) {
    if (id == null) { return null; }
    const fetchIncident = () => api.get(`/incidents/${id}`);
    const incidentOf = listed ? listed.then((all) => all.find((i) => i.id === id) || fetchIncident()) : fetchIncident();
    const detail = await detailOrder(async () => {
      const [incident, assignments, timeline] = await Promise.all([
        incidentOf, api.get(`/incidents/${id}/assignments`), api.get(`/incidents/${id}/timeline`),
      ]);
      return { incident, assignments, timeline: timeline.entries };
    }, (value) => store.setIncidentDetail(id, value));
    return detail.incident;
  }

  /** A ranking: per outstanding requirement, or of one unit type the dispatcher adds ("Tambah unit"). */
  async function recommend(id = store.get().openIncidentId, { focus = true, unitTypes = null } = {}) {
    const rec = await api.post(`/incidents/${id}/recommendations`, unitTypes ? { unit_types: unitTypes } : {});
    store.setRecommendation(id, rec);
    if (focus) {
      const first = el("recommendation").querySelector("button[data-assign]");
      if (first) { first.focus(); }
    }
    return rec;
  }

  /** A fresh ranking while something is still needed; otherwise no ranking (nothing to offer). */
  async function recommendOutstanding(id, incident) {
    if (incident && !FINAL.includes(incident.status) && incident.outstanding.length) { return recommend(id); }
    store.setRecommendation(id, null);
    return null;
  }

  /** Open an incident: its details, then a fresh recommendation while it is still open. */
  /** ``created``: the incident as the create answered it. The panel shows it at once and asks for its
   * ranking first, the timeline after: the dispatcher's next click is on the ranked list, and the
   * server answers it fastest when nothing else is asked at the same time. */
  async function open(id, { zoom = true, created = null } = {}) {
    store.openIncident(id);
    try {
      if (created) {
        store.setIncidentDetail(id, { incident: created, assignments: [], timeline: [] });
        if (zoom) { mapView.zoomTo(created.location); }
        await recommendOutstanding(id, created);
        await loadDetail(id);
        return;
      }
      const incident = await loadDetail(id);
      if (zoom && incident) { mapView.zoomTo(incident.location); }
      await recommendOutstanding(id, incident);
    } catch (error) {
      store.addError("incident", errorValue(error));
      if (error.status === 404) { store.openIncident(null); }
    }
  }

  /** Do something the dispatcher asked for: the last messages go, a failure becomes a message. */
  async function act(work) {
    store.clearErrors();
    try {
      await work();
    } catch (error) {
      store.addError("incident", errorValue(error));
    }
  }

  async function assign(incidentId, unitId) {
    store.clearErrors();
    try {
      await api.post(`/incidents/${incidentId}/assignments`, { unit_id: unitId });
    } catch (error) {
      if (error.status === 409) {
        // taken by someone else: say so, drop it from the offer at once, then re-rank what is left
        const taken = !error.code || error.code === "conflict" ? { code: "e_assign_taken", params: { unit: unitId } }
          : error.code === "unit_already_assigned" ? { code: "e_assign_taken_by", params: Object.assign({ unit: unitId }, error.params) }
            : {};
        store.addError("incident", errorValue(error, taken));
        const rec = store.get().recommendation;
        if (rec) {
          store.setRecommendation(incidentId, Object.assign({}, rec, { groups: rec.groups.map((g) => Object.assign({}, g, {
            ranked: g.ranked.filter((u) => u.unit_id !== unitId), stale: g.stale.filter((u) => u.unit_id !== unitId),
          })) }));
        }
      } else {
        store.addError("incident", errorValue(error));
        return;
      }
    }
    try {
      const [incident] = await Promise.all([loadDetail(incidentId), refreshNow()]);
      await recommendOutstanding(incidentId, incident);  // multi-unit incidents: what is still needed
    } catch (error) {
      store.addError("incident", errorValue(error));
    }
  }

  panel.addEventListener("click", async (event) => {
    const target = event.target;
    const id = store.get().openIncidentId;
    const assignButton = target.closest("button[data-assign]");
    if (assignButton) { await assign(Number(assignButton.dataset.incident), assignButton.dataset.assign); return; }
    const impact = target.closest("button[data-moveup]");
    if (impact) {
      const unitId = impact.dataset.moveup;
      try {
        store.setMoveUp(unitId, await api.get(`/coverage/${impact.dataset.service}/move-up?unit_id=${encodeURIComponent(unitId)}`));
      } catch (error) {
        store.setMoveUp(unitId, { error: errorValue(error) });
      }
      return;
    }
    if (target.closest("#re-recommend")) {
      await act(async () => recommendOutstanding(id, await loadDetail(id)));
      return;
    }
    if (target.closest("#incident-close")) { store.clearErrors(); store.openIncident(null); return; }
    const choose = target.closest("button[data-choose-destination]");
    if (choose) {
      const unitId = choose.dataset.chooseDestination;
      const chooser = { unitId, incidentId: Number(choose.dataset.expectedIncident), from: choose.dataset.from, options: [], loading: true };
      store.clearErrors();
      store.setChooser(chooser);
      try {
        const options = await api.get(`/facilities?kind=hospital&active=true&from_unit=${encodeURIComponent(unitId)}`);
        if (store.get().chooser === chooser) { store.setChooser(Object.assign({}, chooser, { options, loading: false })); }
      } catch (error) {
        store.setChooser(null);
        store.addError("incident", errorValue(error));
      }
      return;
    }
    if (target.closest("button[data-chooser-cancel]")) { store.setChooser(null); return; }
    const choice = target.closest("button[data-destination-choice]");
    if (choice) {
      const chooser = store.get().chooser;
      if (!chooser) { return; }
      await act(async () => {
        store.setChooser(null);
        await api.post(`/units/${encodeURIComponent(chooser.unitId)}/status`, {
          status: "transporting",
          expected_status: chooser.from,
          expected_incident_id: chooser.incidentId,
          destination_facility_id: choice.dataset.destinationChoice,
        });
        await Promise.all([loadDetail(id), refreshNow()]);
      });
      return;
    }
    const statusButton = target.closest("button[data-unit-status]");
    if (statusButton) {
      await act(async () => {
        await api.post(`/units/${encodeURIComponent(statusButton.dataset.unitStatus)}/status`, {
          status: statusButton.dataset.to,
          expected_status: statusButton.dataset.from,
          expected_incident_id: Number(statusButton.dataset.expectedIncident),
        });
        await Promise.all([loadDetail(id), refreshNow()]);
      });
      return;
    }
    if (target.closest("#add-unit")) {
      const unitType = el("add-unit-type").value;
      await act(async () => {
        if (features.requirements) {
          // recorded as a requirement of the incident: it shows as still needed until a unit is assigned
          await api.post(`/incidents/${id}/requirements`, { unit_types: [unitType], count: 1 });
          await recommendOutstanding(id, await loadDetail(id));
        } else {
          await recommend(id, { unitTypes: [unitType] });  // a ranking of that type to assign from
        }
      });
      return;
    }
    if (target.closest("#add-note")) {
      const text = el("note-text").value.trim();
      if (!text) { return; }
      await act(async () => {
        await api.post(`/incidents/${id}/notes`, { text });
        el("note-text").value = "";
        await loadDetail(id);
      });
      return;
    }
    const finish = target.closest("button[data-finish]");
    if (finish) {
      const reason = el("finish-reason").value;
      const typed = el("finish-note").value.trim();
      // a server that records reason codes gets the code; an older one gets the reason in the note
      // (in Bahasa Indonesia, the language of the record, whatever the dispatcher's display language)
      const body = features.finishReasons ? { reason, note: typed }
        : { note: [reason ? t("id", "r_" + reason) : "", typed].filter(Boolean).join(" — ") };
      await act(async () => {
        await api.post(`/incidents/${id}/${finish.dataset.finish}`, body);
        await Promise.all([loadDetail(id), refreshNow()]);
      });
    }
  });
  onDismiss(el("incident-errors"), store);

  return { open, loadDetail, recommend };
}
