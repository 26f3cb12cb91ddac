// Siak Siaga 112 crew page: the unit's phone. Logs in with the device's login + secret (or a
// unit-bound device token), polls its assignment every second with If-None-Match (an unchanged answer
// is a body-less 304), and reports the unit's status with big buttons. See docs/tracking.md ("Crew page").

import { API_ROOT, ApiError, errorValue, makeApi } from "./api.js";
import { LANGS, t } from "./i18n.js";
import { el, setHtml } from "./dom.js";
import { createCrewMap } from "./crew_map.js";
import * as view from "./crew_view.js";

const CFG = JSON.parse(document.body.dataset.config || "{}");
const KEYS = { lang: "siaga.crew.lang", secret: "siaga.crew.secret", login: "siaga.crew.login" };

const savedLang = localStorage.getItem(KEYS.lang);
const state = {
  lang: LANGS.includes(savedLang) ? savedLang : "id",
  secret: localStorage.getItem(KEYS.secret) || "",
  login: localStorage.getItem(KEYS.login) || "",
  data: null, etag: null, errors: [], connection: null,
  choosingHospital: false, pending: null, busy: false,
};
const api = makeApi(() => state.secret);
let crewMap = null;
let timer = null;

function render() {
  const { lang, data } = state;
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
  el("lang").textContent = t(lang, "lang");
  setHtml(el("crew-errors"), view.errorsHtml(lang, state.errors));
  el("crew-connection").hidden = !state.connection;
  el("crew-connection").textContent = state.connection ? t(lang, "crew_offline") : "";
  const signedIn = Boolean(data);
  el("login-form").hidden = signedIn;
  el("crew-main").hidden = !signedIn;
  el("logout").hidden = !signedIn;
  el("crew-unit").textContent = signedIn ? data.unit_id : "";
  if (!signedIn) { return; }
  setHtml(el("crew-state"), view.stateHtml(lang, data));
  setHtml(el("crew-assignment"), view.assignmentHtml(lang, data));
  setHtml(el("crew-nav"), view.navHtml(lang, data));
  el("crew-map").hidden = !data.target;
  el("crew-hospitals").hidden = !state.choosingHospital;
  setHtml(el("crew-hospitals"), state.choosingHospital ? view.hospitalsHtml(lang, data) : "");
  el("crew-confirm").hidden = !state.pending;
  setHtml(el("crew-confirm"), state.pending ? view.confirmHtml(lang, state.pending) : "");
  const blocked = state.busy || state.choosingHospital || Boolean(state.pending);
  el("crew-buttons").hidden = state.choosingHospital || Boolean(state.pending);
  setHtml(el("crew-buttons"), view.buttonsHtml(lang, data, blocked));
  if (data.target) {
    if (!crewMap) { crewMap = createCrewMap(el("crew-map")); }
    crewMap.invalidate();
    crewMap.render(data);
  }
}

function addError(error) {
  state.errors = [...state.errors, errorValue(error)].slice(-3);
}

/** One poll; 304 keeps what is shown. Throws an ApiError for the caller to place. */
async function fetchAssignment() {
  const headers = { Authorization: "Bearer " + state.secret };
  if (state.etag) { headers["If-None-Match"] = state.etag; }
  let response;
  try {
    response = await fetch(API_ROOT + "/crew/assignment", { headers, cache: "no-store" });
  } catch (error) {
    throw new ApiError({ status: 0, code: "e_network", detail: String(error && error.message) });
  }
  if (response.status === 304) { return; }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError({ status: response.status, code: data.code || null, params: data.params || {}, detail: data.detail });
  }
  const before = state.data && state.data.incident ? state.data.incident.incident_id : null;
  state.etag = response.headers.get("ETag");
  state.data = data;
  const now = data.incident ? data.incident.incident_id : null;
  if (now != null && now !== before && navigator.vibrate) { navigator.vibrate([300, 150, 300]); }
}

async function poll() {
  clearTimeout(timer);
  try {
    await fetchAssignment();
    state.connection = null;
  } catch (error) {
    if (error.status === 401 || error.status === 403) { signOut(error); return; }
    state.connection = errorValue(error);  // shown until a poll succeeds
  }
  render();
  timer = setTimeout(poll, 1000 * (CFG.pollIntervalS || 1));
}

function signOut(error) {
  clearTimeout(timer);
  Object.assign(state, { secret: "", data: null, etag: null, choosingHospital: false, pending: null });
  localStorage.removeItem(KEYS.secret);
  if (error) { addError(error); }
  render();
}

async function signIn(event) {
  event.preventDefault();
  state.login = el("login").value.trim().toLowerCase();
  state.secret = el("secret").value.trim();
  state.errors = [];
  try {
    await fetchAssignment();
  } catch (error) {
    state.secret = "";
    state.data = null;
    addError(error);
    render();
    return;
  }
  if (state.login && state.data.login !== state.login) {
    const mismatch = { status: -1, code: "crew_login_mismatch", params: { login: state.login, actual: state.data.login } };
    signOut(null);
    state.errors = [mismatch];
    render();
    return;
  }
  localStorage.setItem(KEYS.secret, state.secret);
  localStorage.setItem(KEYS.login, state.login);
  el("secret").value = "";
  poll();
}

async function report(status, extra = {}) {
  const data = state.data;
  state.busy = true;
  render();
  try {
    state.data = await api.post("/crew/status", {
      status, expected_status: data.unit_status,
      expected_incident_id: data.incident ? data.incident.incident_id : 0, ...extra,
    });
    state.etag = null;
    state.choosingHospital = false;
    state.pending = null;
  } catch (error) {
    if (error instanceof ApiError && error.code === "arrival_far") {
      state.pending = { status, extra, params: error.params, detail: error.detail };
    } else {
      addError(error);
      state.choosingHospital = false;
      state.pending = null;
      state.etag = null;
    }
  }
  state.busy = false;
  render();
}

function onClick(event) {
  const button = event.target.closest("button");
  if (!button || button.disabled) { return; }
  const d = button.dataset;
  if (d.status === "transporting") { state.choosingHospital = true; render(); return; }
  if (d.status) { report(d.status); return; }
  if (d.hospital) { report("transporting", { destination_facility_id: d.hospital }); return; }
  if (d.hospitalCancel) { state.choosingHospital = false; render(); return; }
  if (d.confirmFar && state.pending) { report(state.pending.status, { ...state.pending.extra, confirm_far: true }); return; }
  if (d.confirmCancel) { state.pending = null; render(); return; }
  if (d.dismiss != null) { state.errors = state.errors.filter((_, i) => i !== Number(d.dismiss)); render(); }
}

el("lang").addEventListener("click", () => {
  state.lang = state.lang === "id" ? "en" : "id";
  localStorage.setItem(KEYS.lang, state.lang);
  render();
});
el("logout").addEventListener("click", () => signOut(null));
el("login-form").addEventListener("submit", signIn);
document.body.addEventListener("click", onClick);
el("login").value = state.login;
if (!state.secret && CFG.demoToken) { el("secret").value = CFG.demoToken; }
render();
if (state.secret) { poll(); }
