// Who is at the console: the login screen, the person in the header, logout and password change.
// A person logs in with username + password (+ desk); the server sets an HttpOnly session cookie and
// gives the CSRF token the API client sends with every write (siaga/api/sessions.py). A 401 from any
// request (session ended: idle timeout, logout elsewhere, account disabled) brings the login back.

import { API_ROOT, errorValue } from "./api.js";
import { el, errorText } from "./dom.js";
import { t } from "./i18n.js";

/** The person of the session cookie (GET /auth/session), or null when not logged in. */
export async function currentSession() {
  const response = await fetch(API_ROOT + "/auth/session", { credentials: "same-origin" });
  return response.ok ? response.json() : null;
}

/** Show the login screen (with why, when a session just ended); a successful login reloads the page. */
export function showLogin(getLang, reason = null) {
  const node = el("login");
  if (!node.hidden) { return; }  // the first reason stays (the other requests of that moment fail too)
  node.hidden = false;
  document.body.classList.add("logged-out");
  const lang = getLang();
  el("login-error").textContent = reason ? errorText(lang, reason) : "";
  el("login-username").focus();
}

export function wireLogin(getLang) {
  el("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: el("login-username").value.trim(), password: el("login-password").value };
    const desk = el("login-desk").value.trim();
    if (desk) { body.desk = desk; }
    const response = await fetch(API_ROOT + "/auth/login", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).catch(() => null);
    if (response && response.ok) {
      sessionStorage.removeItem("siaga.openIncident");  // a new person starts with a clean panel
      window.location.reload();
      return;
    }
    const data = response ? await response.json().catch(() => ({})) : {};
    const error = { status: response ? response.status : 0, code: data.code || (response ? null : "e_network"), params: data.params || {}, detail: data.detail || "" };
    el("login-password").value = "";
    el("login-error").textContent = errorText(getLang(), error);
  });
}

/** The person in the header, the logout button and the password form (session mode only). */
export function createAccount({ store, api, person }) {
  el("who").hidden = false;
  el("logout").hidden = false;
  el("account").hidden = false;
  el("admin-link").hidden = !person.roles.includes("admin");
  el("who").textContent = person.name;
  el("who").title = (person.display_name || "") + " — " + person.roles.join(", ");
  el("logout").addEventListener("click", async () => {
    await api.post("/auth/logout").catch(() => null);
    sessionStorage.removeItem("siaga.openIncident");
    window.location.reload();
  });
  el("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { current_password: el("password-current").value, new_password: el("password-new").value };
    try {
      await api.post("/auth/password", body);
      el("password-message").className = "ok";
      el("password-message").dataset.key = "passwordChanged";
      el("password-message").textContent = t(store.get().lang, "passwordChanged");
      el("password-form").reset();
    } catch (error) {
      el("password-message").className = "error";
      el("password-message").textContent = errorText(store.get().lang, errorValue(error));
    }
  });
}
