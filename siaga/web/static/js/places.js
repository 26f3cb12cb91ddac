// Place autocomplete (GET /places): shared by the intake form and "Pindahkan lokasi / Move location".
// Typing asks the gazetteer (debounced) and fills a <datalist>; an entry of the list is a place with
// its kode, so "Kandis" (desa) and "Kecamatan Kandis" are different places (sent as place_kode).

import { escapeHtml as esc } from "./i18n.js";
import { el, setHtml } from "./dom.js";

const DEBOUNCE_MS = 200;
const MIN_CHARS = 2;

/** The text of a place in the list (and in the field once chosen). */
export const placeText = (m) => (m.level === "kecamatan" ? "Kecamatan " + m.nama : m.nama);

/**
 * Autocomplete on the input ``inputId`` inside ``root`` (listened to there, so the input may be
 * re-rendered), suggestions into the datalist ``listId``.
 *
 * ``onChosen(place)``: the field's text is an entry of the list (typed out or picked);
 * ``onTyped(text)``: anything else typed (before the suggestions are asked for).
 * Returns ``{ clear() }`` to forget the suggestions (e.g. when the form resets).
 */
export function attachPlaceSearch({ api, root, inputId, listId, onChosen, onTyped = () => {} }) {
  const holder = { timer: null, items: {} };

  function show(matches) {
    holder.items = Object.fromEntries(matches.map((m) => [placeText(m), m]));
    setHtml(el(listId), matches.map((m) => `<option value="${esc(placeText(m))}" data-kode="${esc(m.kode)}">`
      + `${esc(m.level)} · ${esc(m.kecamatan)}</option>`).join(""));
  }

  root.addEventListener("input", (event) => {
    if (event.target.id !== inputId) { return; }
    clearTimeout(holder.timer);
    const value = event.target.value;
    const chosen = holder.items[value];
    if (chosen) { onChosen(chosen); return; }
    const q = value.trim();
    if (q.length < MIN_CHARS) { return; }
    onTyped(q);
    holder.timer = setTimeout(async () => {
      show(await api.get("/places?q=" + encodeURIComponent(q)).catch(() => []));
    }, DEBOUNCE_MS);
  });

  return {
    clear() { clearTimeout(holder.timer); show([]); },
  };
}
