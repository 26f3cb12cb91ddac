// Small DOM helpers shared by the panels.

import { escapeHtml as esc, hasServer, t, tServer } from "./i18n.js";

export const el = (id) => document.getElementById(id);

/** Replace a node's HTML only when it changed, so the 1 s refresh keeps focus, hover and selection. */
export function setHtml(node, html) {
  if (node && node.siagaHtml !== html) {
    node.innerHTML = html;
    node.siagaHtml = html;
  }
}

/** The text of an error value (see api.errorValue) in the current language. */
export function errorText(lang, error) {
  if (hasServer(lang, error.code)) { return tServer(lang, error.code, error.params, error.detail); }
  const general = [0, 401, 403, 404, 409, 422].includes(error.status) ? t(lang, "e_" + error.status)
    : error.status >= 500 ? t(lang, "e_500") : "";
  // a code the catalogue does not know yet: the general sentence and the server's own (English) one
  return [general, error.detail].filter(Boolean).join(" — ");
}

/** The errors of one scope as dismissable messages. */
export function errorsHtml(lang, errors, scope) {
  return errors.filter((e) => e.scope === scope).map((e) => `<p class="message error" role="alert" data-error="${e.id}">`
    + `<span>${esc(errorText(lang, e))}</span> <button type="button" class="dismiss" data-dismiss="${e.id}"`
    + ` title="${esc(t(lang, "dismiss"))}" aria-label="${esc(t(lang, "dismiss"))}">×</button></p>`).join("");
}

/** Wire the × buttons of a container to the store. */
export function onDismiss(node, store) {
  node.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-dismiss]");
    if (button) { store.dismissError(Number(button.dataset.dismiss)); }
  });
}
