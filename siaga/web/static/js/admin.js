// The admin page: operator accounts (create, disable, enable). Only for admins: anyone else sees
// "access denied" and no account data (the API refuses them too).

import { errorValue } from "./api.js";
import { errorText } from "./dom.js";
import { escapeHtml as esc, formatWib, t } from "./i18n.js";
import { el, pageLang, pageSession, wireLanguage } from "./page.js";

const ROLES = ["dispatcher", "supervisor", "planner", "admin"];

async function start() {
  const view = { operators: [], events: [], error: null, denied: false };
  const render = (lang) => {
    el("page-error").textContent = view.denied ? t(lang, "accessDenied") : view.error ? errorText(lang, view.error) : "";
    el("admin").hidden = view.denied;
    if (view.denied) { return; }
    el("new-roles").innerHTML = `<legend>${esc(t(lang, "roles"))}</legend>` + ROLES.map((r) => `<label><input type="checkbox" `
      + `name="role" value="${r}"${r === "dispatcher" ? " checked" : ""}> ${esc(t(lang, "role_" + r))}</label>`).join("");
    const head = ["username", "displayName", "roles", "status", ""].map((k) => `<th>${k ? esc(t(lang, k)) : ""}</th>`).join("");
    el("operators").innerHTML = `<tr>${head}</tr>` + view.operators.map((o) => `<tr data-operator="${esc(o.username)}"`
      + `${o.disabled ? ' class="disabled-row"' : ""}><td>${esc(o.username)}</td><td>${esc(o.display_name)}</td>`
      + `<td>${esc(o.roles.map((r) => t(lang, "role_" + r)).join(", "))}</td>`
      + `<td data-state>${esc(t(lang, o.disabled ? "disabled" : "active"))}</td>`
      + `<td><button type="button" data-toggle="${esc(o.username)}" data-disable="${o.disabled ? "false" : "true"}">`
      + `${esc(t(lang, o.disabled ? "enable" : "disable"))}</button></td></tr>`).join("");
    const eventHead = ["when", "event", "account", "by"].map((k) => `<th>${esc(t(lang, k))}</th>`).join("");
    el("events").innerHTML = `<tr>${eventHead}</tr>` + view.events.map((e) => `<tr data-event="${esc(e.kind)}">`
      + `<td>${esc(formatWib(e.at))}</td><td>${esc(t(lang, "ev_" + e.kind))}${e.detail.name ? " " + esc(e.detail.name) : ""}</td>`
      + `<td>${esc(e.username)}</td><td>${esc(e.by)}</td></tr>`).join("");
  };
  wireLanguage(render);
  const session = await pageSession();
  if (!session) { el("page-error").textContent = t(pageLang(), "needLogin"); return; }
  const { api, person } = session;
  const load = async () => {
    if (!person.roles.includes("admin")) { view.denied = true; render(pageLang()); return; }
    try {
      [view.operators, view.events] = await Promise.all([api.get("/operators"), api.get("/account-events?limit=100")]);
    } catch (error) {
      view.denied = error.status === 403;
      view.error = errorValue(error);
    }
    render(pageLang());
  };
  el("operators").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-toggle]");
    if (!button) { return; }
    try {
      await api.patch(`/operators/${button.dataset.toggle}`, { disabled: button.dataset.disable === "true" });
      view.error = null;
    } catch (error) {
      view.error = errorValue(error);
    }
    await load();
  });
  el("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const roles = [...document.querySelectorAll("#new-roles input:checked")].map((i) => i.value);
    const body = { username: el("new-username").value.trim(), password: el("new-password").value, roles };
    if (el("new-name").value.trim()) { body.display_name = el("new-name").value.trim(); }
    try {
      await api.post("/operators", body);
      view.error = null;
      el("create-form").reset();
    } catch (error) {
      view.error = errorValue(error);
    }
    await load();
  });
  await load();
}

start();
