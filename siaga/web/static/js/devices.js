// The admin's device page: every unit's phone (last seen, app, fixes today, battery, rejected fixes and
// the last rejection's reason, alerts: silent, battery low, clock ahead), attach or
// replace a unit's device (the secret is shown once), print its set-up sheet, remove it.
// Polls /devices/health every 5 s. See docs/tracking.md ("Putting the app on a driver's phone").

import { API_ROOT, ApiError, errorValue, makeApi } from "./api.js";
import { escapeHtml as esc, formatAge, formatWib, LANGS, t, tServer } from "./i18n.js";
import { el, errorText, setHtml } from "./dom.js";

const CFG = JSON.parse(document.body.dataset.config || "{}");
const savedLang = localStorage.getItem("siaga.lang");
const state = {
  lang: LANGS.includes(savedLang) ? savedLang : "id",
  token: localStorage.getItem("siaga.token") || CFG.demoToken || "",
  devices: [], errors: [], issued: null,
};
const api = makeApi(() => state.token);

async function send(method, path) {
  let response;
  try {
    response = await fetch(API_ROOT + path, { method, headers: { Authorization: "Bearer " + state.token } });
  } catch (error) {
    throw new ApiError({ status: 0, code: "e_network", detail: String(error && error.message) });
  }
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError({ status: response.status, code: data.code || null, params: data.params || {}, detail: data.detail });
  }
  return response;
}

function alertText(lang, alert) { return tServer(lang, alert.code, alert.params, alert.code); }

function batteryHtml(d) {
  if (d.battery_pct === null || d.battery_pct === undefined) { return "—"; }
  return `<span data-battery="${Number(d.battery_pct)}" title="${esc(formatWib(d.battery_at))}">${Math.round(Number(d.battery_pct))}%</span>`;
}

function rejectedHtml(lang, d) {
  const count = `<span data-rejected="${Number(d.fixes_rejected_today)}">${Number(d.fixes_rejected_today)}</span>`;
  if (!d.last_rejection_reason) { return count; }
  const key = "rej_" + d.last_rejection_reason;
  const reason = t(lang, key) === key ? d.last_rejection_reason : t(lang, key);  // a code without text
  const time = formatWib(d.last_rejection_at, { timeOnly: true });
  return `${count} <small data-last-rejection="${esc(d.last_rejection_reason)}">(${esc(t(lang, "dev_last_rejection", { reason, time }))})</small>`;
}

function rowHtml(lang, d) {
  const age = d.last_fix_time ? (Date.now() - new Date(d.last_fix_time).getTime()) / 1000 : null;
  const seen = d.last_fix_time ? `${formatWib(d.last_fix_time, { timeOnly: true })} (${formatAge(lang, age)} ${t(lang, "ago")})` : "—";
  const alerts = d.alerts.map((a) => `<span class="alert-text" data-alert="${esc(a.code)}">${esc(alertText(lang, a))}</span>`).join(" · ");
  return `<tr data-device-unit="${esc(d.unit_id)}"${d.alerts.length ? ' class="alerting"' : ""}>`
    + `<td>${esc(d.unit_id)}</td><td>${esc(d.device_id)}${d.has_credential ? "" : ` <small>(${esc(t(lang, "dev_no_secret"))})</small>`}</td>`
    + `<td>${esc(t(lang, "s_" + d.unit_status))}</td><td>${esc(seen)}</td><td>${esc(d.app || "—")}</td>`
    + `<td>${Number(d.fixes_today)}</td><td>${batteryHtml(d)}</td><td>${rejectedHtml(lang, d)}</td><td>${alerts}</td>`
    + `<td><button type="button" data-sheet="${esc(d.login)}">${esc(t(lang, "dev_sheet"))}</button> `
    + `<button type="button" data-remove="${esc(d.unit_id)}">${esc(t(lang, "dev_remove"))}</button></td></tr>`;
}

function render() {
  const { lang } = state;
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
  el("lang").textContent = t(lang, "lang");
  setHtml(el("dev-errors"), state.errors.map((e) => `<p class="message error" role="alert">${esc(errorText(lang, e))}</p>`).join(""));
  setHtml(el("device-rows"), state.devices.map((d) => rowHtml(lang, d)).join(""));
  const alerting = state.devices.filter((d) => d.alerts.length).length;
  el("dev-alert-count").hidden = alerting === 0;
  el("dev-alert-count").textContent = t(lang, "dev_alert_count", { count: alerting });
  const issued = state.issued;
  setHtml(el("attach-result"), issued ? `<p>${esc(t(lang, "dev_issued", { unit: issued.device.unit_id, login: issued.device.login }))}</p>`
    + `<p class="secret" data-secret="1">${esc(issued.secret)}</p>` : "");
}

async function refresh() {
  try {
    state.devices = await api.get("/devices/health");
    state.errors = [];
  } catch (error) {
    state.errors = [errorValue(error)];
  }
  render();
}

async function loadUnits() {
  try {
    const units = await api.get("/units");
    setHtml(el("unit-list"), units.map((u) => `<option value="${esc(u.id)}"></option>`).join(""));
  } catch (error) { state.errors = [errorValue(error)]; render(); }
}

async function act(work) {
  try {
    await work();
    state.errors = [];
  } catch (error) {
    state.errors = [errorValue(error)];
  }
  await refresh();
}

el("attach-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(async () => {
    state.issued = await api.post("/devices", { unit_id: el("attach-unit").value.trim(), device_id: el("attach-device").value.trim() });
  });
});

document.body.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) { return; }
  if (button.dataset.remove && window.confirm(t(state.lang, "dev_remove_confirm", { unit: button.dataset.remove }))) {
    act(() => send("DELETE", `/units/${encodeURIComponent(button.dataset.remove)}/device`));
  }
  if (button.dataset.sheet) {
    const login = button.dataset.sheet;
    act(async () => {
      const blob = await (await send("POST", `/devices/${encodeURIComponent(login)}/setup-sheet`)).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `siaga-setup-${login}.html`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    });
  }
});

el("token").value = state.token;
el("token").addEventListener("change", () => {
  state.token = el("token").value.trim();
  localStorage.setItem("siaga.token", state.token);
  loadUnits();
  refresh();
});
el("lang").addEventListener("click", () => {
  state.lang = state.lang === "id" ? "en" : "id";
  localStorage.setItem("siaga.lang", state.lang);
  render();
});
render();
loadUnits();
refresh();
setInterval(refresh, 5000);
