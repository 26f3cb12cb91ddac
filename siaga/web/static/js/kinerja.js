// The "Kinerja" page: response-time KPIs of a period per agency and kecamatan, charts drawn by the
// server (matplotlib SVG, shown as images) and CSV/XLSX downloads. Every word comes from i18n.js.

import { API_ROOT, ApiError, errorValue, makeApi } from "./api.js";
import { escapeHtml as esc, LANGS, t } from "./i18n.js";
import { el, errorText, setHtml } from "./dom.js";

const WIB_OFFSET = "+07:00";
const AGENCIES = ["psc_119", "damkar", "polres", "bpbd"];
const INTERVALS = ["call_to_create", "create_to_dispatch", "dispatch_to_en_route", "en_route_to_on_scene",
  "response", "on_scene_to_transport", "transport_to_hospital", "call_to_close"];
const CHARTS = ["response", "share", "weekly"];
const DECIMAL = new Intl.NumberFormat("id-ID", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const CFG = JSON.parse(document.body.dataset.config || "{}");
const state = {
  lang: LANGS.includes(localStorage.getItem("siaga.lang")) ? localStorage.getItem("siaga.lang") : "id",
  token: localStorage.getItem("siaga.kinerjaToken") || CFG.demoToken || "",
  report: null, error: null, charts: {},
};
const api = makeApi(() => state.token);

/** "2026-11-30" of a Date, in WIB. */
function wibDay(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta" }).format(date);
}

function nextDay(isoDate) {
  const day = new Date(isoDate + "T00:00:00Z");
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

function query() {
  const q = new URLSearchParams();
  q.append("from", `${el("period-from").value}T00:00:00${WIB_OFFSET}`);
  q.append("to", `${nextDay(el("period-to").value)}T00:00:00${WIB_OFFSET}`);
  if (el("period-agency").value) { q.append("agency", el("period-agency").value); }
  return q.toString();
}

async function fetchRaw(path) {
  let response;
  try {
    response = await fetch(API_ROOT + path, { headers: { Authorization: "Bearer " + state.token } });
  } catch (error) {
    throw new ApiError({ status: 0, code: "e_network", detail: String(error && error.message) });
  }
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError({ status: response.status, code: data.code, params: data.params, detail: data.detail });
  }
  return response;
}

const minutes = (s) => (s == null ? "—" : DECIMAL.format(s / 60));
const agencyName = (lang, agency) => t(lang, "ag_" + agency);

function intervalCell(row, name) {
  const s = row.intervals[name];
  return `<td data-interval="${name}" data-median-s="${s.median_s ?? ""}" data-p90-s="${s.p90_s ?? ""}">`
    + `${minutes(s.median_s)} / ${minutes(s.p90_s)}</td>`;
}

function shareCell(lang, row) {
  if (row.share_within_standard == null) { return `<td data-share="">${esc(t(lang, "k_noStandard"))}</td>`; }
  const pct = Math.round(100 * row.share_within_standard);
  return `<td data-share="${row.share_within_standard}" class="${pct < 90 ? "bad" : ""}">`
    + `${pct} % (${row.within_standard}/${row.judged})</td>`;
}

function standardText(lang, row) {
  if (!row.standard) { return t(lang, "k_noStandard"); }
  return t(lang, "k_standardLine", { interval: t(lang, "iv_" + row.standard.interval), minutes: minutes(row.standard.limit_s) });
}

function renderTables(lang, report) {
  const head = `<tr><th>${esc(t(lang, "k_agency"))}</th><th>${esc(t(lang, "k_incidents"))}</th>`
    + INTERVALS.map((n) => `<th>${esc(t(lang, "iv_" + n))}<br><small>${esc(t(lang, "k_medianP90"))}</small></th>`).join("")
    + `<th>${esc(t(lang, "k_standard"))}</th><th>${esc(t(lang, "k_within"))}</th></tr>`;
  const rows = report.by_agency.map((r) => `<tr data-agency="${esc(r.agency)}"><td class="name">${esc(agencyName(lang, r.agency))}</td>`
    + `<td data-incidents>${r.incidents}</td>${INTERVALS.map((n) => intervalCell(r, n)).join("")}`
    + `<td>${esc(standardText(lang, r))}</td>${shareCell(lang, r)}</tr>`).join("");
  setHtml(el("table-agency"), report.by_agency.length ? head + rows : `<tr><td>${esc(t(lang, "k_noData"))}</td></tr>`);
  const kecHead = `<tr><th>${esc(t(lang, "k_agency"))}</th><th>${esc(t(lang, "k_kecamatan"))}</th><th>${esc(t(lang, "k_incidents"))}</th>`
    + ["response", "travel"].map((n) => `<th>${esc(t(lang, "iv_" + n))}<br><small>${esc(t(lang, "k_medianP90"))}</small></th>`).join("")
    + `<th>${esc(t(lang, "k_within"))}</th></tr>`;
  const kecRows = report.by_kecamatan.filter((r) => r.agency !== "all").map((r) => `<tr data-agency="${esc(r.agency)}" `
    + `data-kecamatan="${esc(r.kecamatan ? r.kecamatan.kode ?? "" : "")}"><td class="name">${esc(agencyName(lang, r.agency))}</td>`
    + `<td class="name">${esc(r.kecamatan && r.kecamatan.nama ? r.kecamatan.nama : t(lang, "k_unknownKecamatan"))}</td>`
    + `<td>${r.incidents}</td>${intervalCell(r, "response")}${intervalCell(r, "travel")}${shareCell(lang, r)}</tr>`).join("");
  setHtml(el("table-kecamatan"), kecRows ? kecHead + kecRows : `<tr><td>${esc(t(lang, "k_noData"))}</td></tr>`);
}

function render() {
  const lang = state.lang;
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
  el("lang").textContent = t(lang, "lang");
  const current = el("period-agency").value;
  setHtml(el("period-agency"), `<option value="">${esc(t(lang, "ag_all"))}</option>`
    + AGENCIES.map((a) => `<option value="${a}">${esc(agencyName(lang, a))}</option>`).join(""));
  el("period-agency").value = current;
  for (const kind of CHARTS) { el("cap-" + kind).textContent = t(lang, "k_chart_" + kind); el("chart-" + kind).alt = t(lang, "k_chart_" + kind); }
  setHtml(el("legend-response"), `<span class="swatch median"></span>${esc(t(lang, "k_median"))}`
    + `<span class="swatch p90"></span>${esc(t(lang, "k_p90"))}`);
  el("definitions").textContent = t(lang, "k_definitions");
  setHtml(el("kinerja-errors"), state.error ? `<p class="message error" role="alert">${esc(errorText(lang, state.error))}</p>` : "");
  const report = state.report;
  el("simulated").hidden = !(report && report.simulated);
  if (!report) { return; }
  el("simulated").textContent = t(lang, "k_simulated", { n: report.simulated, total: report.incidents });
  el("summary").textContent = t(lang, "k_summary", { n: report.incidents });
  renderTables(lang, report);
}

async function show() {
  state.error = null;
  try {
    const q = query();
    state.report = await api.get("/kpi?" + q);
    const svgs = await Promise.all(CHARTS.map((kind) => fetchRaw(`/kpi/charts/${kind}.svg?${q}`).then((r) => r.text())));
    CHARTS.forEach((kind, i) => { el("chart-" + kind).src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgs[i]); });
  } catch (error) {
    state.error = errorValue(error);
  }
  render();
  document.body.dataset.ready = String(Date.now());
}

async function download(ext) {
  state.error = null;
  try {
    const response = await fetchRaw(`/kpi.${ext}?${query()}`);
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(await response.blob()),
      download: `siaga-kinerja-${el("period-from").value}-${el("period-to").value}.${ext}`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 5000);
  } catch (error) {
    state.error = errorValue(error);
  }
  render();
}

const today = new Date();
el("period-to").value = wibDay(today);
el("period-from").value = wibDay(new Date(today.getTime() - 27 * 86400e3));
el("token").value = state.token;
el("token").addEventListener("change", () => {
  state.token = el("token").value.trim();
  localStorage.setItem("siaga.kinerjaToken", state.token);
});
el("lang").addEventListener("click", () => {
  state.lang = state.lang === "id" ? "en" : "id";
  localStorage.setItem("siaga.lang", state.lang);
  render();
});
el("period-form").addEventListener("submit", (event) => { event.preventDefault(); show(); });
el("download-csv").addEventListener("click", () => download("csv"));
el("download-xlsx").addEventListener("click", () => download("xlsx"));
render();
if (state.token) { show(); }
