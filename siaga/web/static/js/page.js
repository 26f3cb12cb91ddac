// What the pages beside the console share: the language (same choice as the console), its toggle,
// the translated page chrome, and an API client on the console's session cookie.

import { makeApi, watchActivity } from "./api.js";
import { currentSession } from "./session.js";
import { LANGS, t } from "./i18n.js";

export const el = (id) => document.getElementById(id);

export function pageLang() {
  const saved = localStorage.getItem("siaga.lang");
  return LANGS.includes(saved) ? saved : "id";
}

/** Translate [data-i18n] nodes; the toggle switches language and calls `rerender(lang)`. */
export function wireLanguage(rerender) {
  const apply = (lang) => {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(lang, node.dataset.i18n); });
    el("lang").textContent = t(lang, "lang");
  };
  apply(pageLang());
  el("lang").addEventListener("click", () => {
    const lang = pageLang() === "id" ? "en" : "id";
    localStorage.setItem("siaga.lang", lang);
    apply(lang);
    rerender(lang);
  });
}

/** The logged-in person and an API client (writes carry the CSRF token); null when not logged in. */
export async function pageSession() {
  const person = await currentSession().catch(() => null);
  if (!person) { return null; }
  watchActivity();
  return { person, api: makeApi(() => "", { getCsrf: () => person.csrf_token }) };
}
