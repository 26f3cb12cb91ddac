// Saved scenarios: save under a name, list (tick to compare, open to edit), the side-by-side
// comparison (with the unsaved current one), its CSV, and the printable report (A4 landscape).

import { errorValue } from "./api.js";
import { el, setHtml } from "./dom.js";
import { escapeHtml as esc, formatEta, formatNumber, formatWib, t } from "./i18n.js";
import { formatPct } from "./planning_map.js";

const ROWS = [
  ["pl_covered", (f) => formatNumber(f.covered_population), (f) => f.covered_population],
  ["pl_covered", (f) => formatPct(f.coverage_share), (f) => Math.round(f.coverage_share * 1000) / 10, "%"],
  ["pl_expected", (f) => formatNumber(f.expected_covered_population), (f) => f.expected_covered_population],
  ["pl_busy", (f, s) => String(s.busy_fraction), (f, s) => s.busy_fraction],
  ["pl_mean", (f, s, lang) => (f.mean_time_min == null ? "—" : formatEta(lang, f.mean_time_min * 60)), (f) => f.mean_time_min],
  ["pl_p90", (f, s, lang) => (f.p90_time_min == null ? "—" : formatEta(lang, f.p90_time_min * 60)), (f) => f.p90_time_min],
  ["pl_gaps", (f) => formatNumber(f.gap_count), (f) => f.gap_count],
  ["pl_posts", (f, s) => String(s.posts.length), (f, s) => s.posts.length],
];

function columns(state) {
  const current = state.figures
    ? [{ id: "current", name: t(state.lang, "pl_current"), figures: state.figures, posts: state.posts, busy_fraction: state.busyFraction }]
    : [];
  return [...(state.comparison || []), ...current];
}

export function comparisonHtml(lang, state) {
  if (!state.comparison) { return ""; }
  const cols = columns(state);
  return `<h3>${esc(t(lang, "pl_compareTitle"))}</h3><table class="compare-table" id="compare-table"><tr><th></th>`
    + cols.map((c) => `<th data-scenario="${esc(c.id)}">${esc(c.name)}</th>`).join("") + `</tr>`
    + ROWS.map(([key, show, , suffix]) => `<tr><td>${esc(t(lang, key))}${suffix ? " (%)" : ""}</td>`
      + cols.map((c) => `<td>${esc(show(c.figures, c, lang))}</td>`).join("") + `</tr>`).join("")
    + `</table>`;
}

function scenariosHtml(lang, state) {
  if (!state.scenarios.length) { return `<li class="hint">${esc(t(lang, "pl_noScenarios"))}</li>`; }
  return state.scenarios.map((s) => `<li data-scenario-row="${s.id}"><label class="inline"><input type="checkbox" data-select="${s.id}"`
    + `${state.selected.includes(s.id) ? " checked" : ""}> <b>${esc(s.name)}</b> — ${formatNumber(s.figures.covered_population)} ${esc(t(lang, "pl_people"))}`
    + ` (${formatPct(s.figures.coverage_share)}) · ${esc(formatWib(s.created_at))} ${esc(t(lang, "pl_createdBy", { by: s.created_by }))}</label>`
    + ` <button type="button" data-open="${s.id}">${esc(t(lang, "pl_open"))}</button></li>`).join("");
}

export function createScenarios({ store, api, actions }) {
  async function refresh() {
    try {
      store.setScenarios(await api.get("/planning-scenarios?service=" + store.get().service));
    } catch (error) { store.addError(errorValue(error)); }
  }

  store.subscribe((state, keys) => {
    const lang = state.lang;
    if (["scenarios", "selected", "lang"].some((k) => keys.has(k))) { setHtml(el("scenarios"), scenariosHtml(lang, state)); }
    if (["comparison", "figures", "lang"].some((k) => keys.has(k))) { setHtml(el("comparison"), comparisonHtml(lang, state)); }
    if (keys.has("savedNote") || keys.has("lang")) {
      el("saved-note").textContent = state.savedNote ? t(lang, "pl_saved", state.savedNote) : "";
    }
  });

  el("save-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const state = store.get();
    store.clearErrors();
    try {
      const saved = await api.post("/planning-scenarios", {
        name: el("scenario-name").value, service: state.service, busy_fraction: state.busyFraction,
        busy_source: state.busySource, posts: state.posts,
      });
      el("scenario-name").value = "";
      store.setSavedNote({ name: saved.name });
      await refresh();
    } catch (error) { store.addError(errorValue(error)); }
  });
  el("scenarios").addEventListener("change", (event) => {
    const box = event.target.closest("input[data-select]");
    if (box) { store.toggleSelected(Number(box.dataset.select)); }
  });
  el("scenarios").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-open]");
    if (!button) { return; }
    const s = store.get().scenarios.find((x) => x.id === Number(button.dataset.open));
    if (s) { actions.open(s); }
  });
  el("compare").addEventListener("click", () => {
    const state = store.get();
    const picked = state.scenarios.filter((s) => state.selected.includes(s.id));
    if (picked.length < 2) { store.addError({ status: 0, code: "pl_pickTwo", params: {}, detail: "" }); return; }
    store.clearErrors();
    store.setComparison(picked);
  });
  el("print").addEventListener("click", () => window.print());
  el("csv").addEventListener("click", () => {
    const state = store.get();
    const cols = columns(state);
    const quote = (v) => `"${String(v).replace(/"/g, '""')}"`;
    const lines = [["", ...cols.map((c) => c.name)], ...ROWS.map(([key, , raw, suffix]) => [t(state.lang, key) + (suffix ? " (%)" : ""), ...cols.map((c) => raw(c.figures, c) ?? "")])];
    const blob = new Blob([lines.map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n"], { type: "text/csv" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `skenario_${state.service}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  return { refresh };
}
