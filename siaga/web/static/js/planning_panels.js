// The side panels of the planning page: headline figures (plain and expected coverage), the posts of
// the scenario (units, remove), the gap list, the MEXCLP suggestions and the error messages.

import { errorsHtml, onDismiss, setHtml, el } from "./dom.js";
import { escapeHtml as esc, formatEta, formatNumber, t } from "./i18n.js";
import { formatPct } from "./planning_map.js";

const GAPS_LISTED = 15;
const HISTORY_DAYS = [30, 90, 180, 365];  // periods offered for the busy fraction

export function busyText(lang, state) {
  const busy = state.start ? state.start.busy : null;
  if (state.busySource === "history" && busy) { return t(lang, "pl_busy_history", { days: busy.days, assignments: busy.assignments }); }
  if (state.busySource === "assumed" && busy) { return t(lang, "pl_busy_assumed", { assignments: busy.assignments, min: busy.min_assignments }); }
  return t(lang, "pl_busy_given");
}

export function figuresHtml(lang, state) {
  const f = state.figures;
  if (!f) { return ""; }
  const of = (n) => `<b data-figure="${n}">${formatNumber(f[n])}</b> ${esc(t(lang, "pl_of"))} ${formatNumber(f.population)} ${esc(t(lang, "pl_people"))}`;
  const minutes = (m) => (m == null ? "—" : formatEta(lang, m * 60));
  const assumed = state.busySource === "assumed" ? " assumed" : "";
  const days = state.start ? state.start.busy.days : 90;
  return `<h2>${esc(t(lang, "pl_figures"))} ${state.updating ? `<span class="updating">${esc(t(lang, "pl_updating"))}</span>` : ""}</h2>`
    + `<div class="figures-grid">`
    + `<span>${esc(t(lang, "pl_covered"))}</span><span>${of("covered_population")} (<span data-figure="coverage_share">${formatPct(f.coverage_share)}</span>)</span>`
    + `<span>${esc(t(lang, "pl_expected"))}</span><span>${of("expected_covered_population")} (${formatPct(f.expected_share)})</span>`
    + `<span>${esc(t(lang, "pl_busy"))}</span><span><form id="busy-form" class="no-print"><input id="busy" type="number" min="0" max="0.95" step="0.01" value="${state.busyFraction}"> `
    + `<button type="submit">${esc(t(lang, "pl_apply"))}</button> `
    + `<label class="inline">${esc(t(lang, "pl_history"))} <select id="busy-days">${HISTORY_DAYS.map((d) => `<option value="${d}"${d === days ? " selected" : ""}>`
      + `${esc(t(lang, "pl_days", { days: d }))}</option>`).join("")}</select></label></form><span class="print-only">${esc(String(state.busyFraction))} </span><span class="${assumed}" data-busy-source="${esc(state.busySource)}">${esc(busyText(lang, state))}</span></span>`
    + `<span>${esc(t(lang, "pl_mean"))}</span><span>${minutes(f.mean_time_min)}; ${esc(t(lang, "pl_p90"))} ${minutes(f.p90_time_min)}</span>`
    + `<span>${esc(t(lang, "pl_unreachable"))}</span><span>${formatNumber(f.unreachable_population)} ${esc(t(lang, "pl_people"))}</span>`
    + `<span>${esc(t(lang, "pl_standard"))}</span><span>${state.start ? formatEta(lang, state.start.standard_min * 60) : ""}</span>`
    + `</div>`;
}

export function postsHtml(lang, state) {
  const info = new Map(((state.figures && state.figures.posts) || []).map((p) => [p.id, p]));
  // each post's own busy fraction with the number of assignments behind it (information: the figures use the service's)
  const busy = new Map(((state.start && state.start.busy.per_post) || []).filter((b) => b.assignments > 0).map((b) => [b.post_id, b]));
  return `<tr><th>${esc(t(lang, "pl_posts"))}</th><th>${esc(t(lang, "pl_units"))}</th><th></th></tr>`
    + state.posts.map((p) => {
      const i = info.get(p.id);
      const detail = i ? t(lang, "pl_coversAlone", { people: formatNumber(i.covers_alone_population) })
        + (i.road_distance_m > 200 ? " · " + t(lang, "pl_offRoad", { distance: formatNumber(i.road_distance_m) }) : "")
        + (busy.has(p.id) ? " · " + t(lang, "pl_postBusy", { share: formatPct(busy.get(p.id).measured), n: busy.get(p.id).assignments }) : "") : "";
      return `<tr data-post-row="${esc(p.id)}"><td class="post-name">${esc(p.name)}<br><small>${esc(detail)}</small></td>`
        + `<td><input type="number" min="0" max="20" value="${p.units}" data-units="${esc(p.id)}" aria-label="${esc(t(lang, "pl_units"))} ${esc(p.name)}"></td>`
        + `<td><button type="button" data-remove="${esc(p.id)}">${esc(t(lang, "pl_remove"))}</button></td></tr>`;
    }).join("");
}

export function gapsHtml(lang, state) {
  const f = state.figures;
  if (!f) { return ""; }
  const names = new Map(f.posts.map((p) => [p.id, p.name]));
  return f.gaps.slice(0, GAPS_LISTED).map((g) => {
    const nearest = g.nearest_post_id
      ? t(lang, "pl_nearest", { post: names.get(g.nearest_post_id) || g.nearest_post_id, time: formatEta(lang, g.centre_time_s) })
      : t(lang, "pl_noPost");
    return `<li data-gap="${esc(g.kode)}"><b>${esc(g.nama)}</b>, ${esc(g.kecamatan_nama)}: ${formatNumber(g.uncovered_population)} `
      + `${esc(t(lang, "pl_people"))} ${esc(t(lang, "pl_uncovered"))} (${formatPct(g.coverage_share)}); ${esc(nearest)}</li>`;
  }).join("");
}

export function suggestionsHtml(lang, state) {
  const s = state.suggestion;
  if (!s) { return ""; }
  if (!s.sites.length) { return `<p>${esc(t(lang, "pl_suggestNone"))}</p>`; }
  const names = new Map(state.posts.map((p) => [p.id, p.name]));
  return `<p class="hint">${esc(t(lang, "pl_suggestGain", { before: formatNumber(s.expected_before_desa_centres), after: formatNumber(s.expected_after_desa_centres) }))}</p><ul class="list">`
    + s.sites.map((site) => `<li>${esc(site.post_id
      ? t(lang, "pl_suggestionPost", { units: site.units, post: names.get(site.post_id) || site.post_id })
      : t(lang, "pl_suggestion", { units: site.units, desa: site.desa || "—", kecamatan: site.kecamatan || "—" }))}`
      + ` <button type="button" data-take="${esc(site.suggested_id)}">${esc(t(lang, "pl_take"))}</button></li>`).join("") + `</ul>`;
}

/** Render the panels from the store; wire their controls to the given actions. */
export function createPanels({ store, actions }) {
  store.subscribe((state, keys) => {
    const lang = state.lang;
    const any = (...names) => names.some((k) => keys.has(k));
    if (any("figures", "lang", "updating", "busyFraction", "busySource", "start")) { setHtml(el("figures"), figuresHtml(lang, state)); }
    if (any("posts", "figures", "lang")) { setHtml(el("posts"), postsHtml(lang, state)); }
    if (any("figures", "lang")) {
      setHtml(el("gaps"), gapsHtml(lang, state));
      el("gap-count").textContent = state.figures ? t(lang, "pl_gapCount", { count: formatNumber(state.figures.gap_count) }) : "";
      el("gap-count").dataset.count = state.figures ? String(state.figures.gap_count) : "";
    }
    if (any("suggestion", "lang", "posts")) { setHtml(el("suggestions"), suggestionsHtml(lang, state)); }
    if (any("errors", "lang")) { setHtml(el("errors"), errorsHtml(lang, state.errors, "planning")); }
    if (any("adding")) { el("add-hint").hidden = !state.adding; }
  });
  onDismiss(el("errors"), store);
  el("posts").addEventListener("change", (event) => {
    const input = event.target.closest("input[data-units]");
    if (input) { actions.setUnits(input.dataset.units, Number(input.value)); }
  });
  el("posts").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-remove]");
    if (button) { actions.removePost(button.dataset.remove); }
  });
  el("figures").addEventListener("submit", (event) => {
    event.preventDefault();
    actions.setBusy(Number(el("busy").value));
  });
  el("figures").addEventListener("change", (event) => {
    if (event.target.id === "busy-days") { actions.setHistoryDays(Number(event.target.value)); }
  });
  el("suggestions").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-take]");
    if (button) { actions.takeSuggestion(button.dataset.take); }
  });
  el("suggest-form").addEventListener("submit", (event) => {
    event.preventDefault();
    actions.suggest(Number(el("suggest-units").value));
  });
  el("add-post").addEventListener("click", () => store.setAdding(!store.get().adding));
  el("reset").addEventListener("click", () => actions.reset());
}
