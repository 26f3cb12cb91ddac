// The admin page: operator accounts (create, disable, enable). Only for admins: anyone else sees
// "access denied" and no account data (the API refuses them too).

import { errorValue } from "./api.js";
import { errorText } from "./dom.js";
import { escapeHtml as esc, formatWib, t } from "./i18n.js";
import { el, pageLang, pageSession, wireLanguage } from "./page.js";

const ROLES = ["dispatcher", "supervisor", "planner", "admin"];

/** Roles in the order of the form (dispatcher first), whatever order the server lists them in. */
const roleNames = (lang, roles) => ROLES.filter((r) => roles.includes(r)).map((r) => t(lang, "role_" + r)).join(", ");

/** One account's row, and below it the open editor (its roles, or a new password) when there is one. */
function operatorRow(lang, o, editing) {
  const name = esc(o.username);
  const row = `<tr data-operator="${name}"${o.disabled ? ' class="disabled-row"' : ""}><td>${name}</td>`
    + `<td>${esc(o.display_name)}</td><td data-roles>${esc(roleNames(lang, o.roles))}</td>`
    + `<td data-state>${esc(t(lang, o.disabled ? "disabled" : "active"))}</td><td>`
    + `<button type="button" data-toggle="${name}" data-disable="${o.disabled ? "false" : "true"}">`
    + `${esc(t(lang, o.disabled ? "enable" : "disable"))}</button> `
    + `<button type="button" data-edit="roles" data-username="${name}">${esc(t(lang, "editRoles"))}</button> `
    + `<button type="button" data-edit="password" data-username="${name}">${esc(t(lang, "resetPassword"))}</button></td></tr>`;
  if (!editing || editing.username !== o.username) { return row; }
  const fields = editing.kind === "roles"
    ? ROLES.map((r) => `<label><input type="checkbox" name="role" value="${r}"${o.roles.includes(r) ? " checked" : ""}> `
      + `${esc(t(lang, "role_" + r))}</label>`).join(" ")
    : `<label>${esc(t(lang, "newPassword"))} <input name="password" type="password" autocomplete="new-password" `
      + `minlength="8" maxlength="128" required></label>`;
  return row + `<tr data-editor="${name}"><td colspan="5"><form data-kind="${editing.kind}">${fields} `
    + `<button type="submit">${esc(t(lang, "save"))}</button> <button type="button" data-edit-cancel>`
    + `${esc(t(lang, "cancelEdit"))}</button></form></td></tr>`;
}

async function start() {
  const view = { operators: [], events: [], error: null, denied: false, editing: null, notice: null };
  const render = (lang) => {
    el("page-error").textContent = view.denied ? t(lang, "accessDenied") : view.error ? errorText(lang, view.error) : "";
    el("admin").hidden = view.denied;
    if (view.denied) { return; }
    el("new-roles").innerHTML = `<legend>${esc(t(lang, "roles"))}</legend>` + ROLES.map((r) => `<label><input type="checkbox" `
      + `name="role" value="${r}"${r === "dispatcher" ? " checked" : ""}> ${esc(t(lang, "role_" + r))}</label>`).join("");
    const head = ["username", "displayName", "roles", "status", ""].map((k) => `<th>${k ? esc(t(lang, k)) : ""}</th>`).join("");
    el("operators").innerHTML = `<tr>${head}</tr>` + view.operators.map((o) => operatorRow(lang, o, view.editing)).join("");
    el("page-notice").textContent = view.notice ? t(lang, view.notice.key, view.notice.params) : "";
    const eventHead = ["when", "event", "account", "by"].map((k) => `<th>${esc(t(lang, k))}</th>`).join("");
    el("events").innerHTML = `<tr>${eventHead}</tr>` + view.events.map((e) => `<tr data-event="${esc(e.kind)}">`
      + `<td>${esc(formatWib(e.at))}</td><td>${esc(t(lang, "ev_" + e.kind))}${e.detail.name ? " " + esc(e.detail.name) : ""}`
      + `${e.kind === "roles_changed" ? ": " + esc(roleNames(lang, e.detail.roles || [])) : ""}</td>`
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
    const edit = event.target.closest("button[data-edit]");
    if (edit || event.target.closest("button[data-edit-cancel]")) {
      view.editing = edit ? { username: edit.dataset.username, kind: edit.dataset.edit } : null;
      view.notice = null;
      render(pageLang());
      return;
    }
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
  el("operators").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const username = view.editing.username;
    try {
      if (form.dataset.kind === "roles") {
        const roles = [...form.querySelectorAll("input[name=role]:checked")].map((i) => i.value);
        await api.patch(`/operators/${username}`, { roles });
        view.notice = { key: "rolesSaved", params: { username } };
      } else {
        await api.post(`/operators/${username}/password`, { password: form.querySelector("input[name=password]").value });
        view.notice = { key: "passwordResetDone", params: { username } };
      }
      view.error = null;
      view.editing = null;
    } catch (error) {
      view.error = errorValue(error);
      view.notice = null;
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
