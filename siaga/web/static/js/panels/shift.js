// The shift panel: the shift open now and who is on duty; a supervisor opens it (name and bounds
// proposed from the configured shift times) and closes it with notes for the next shift; the last
// closed shift's handover opens on its own printable page (/handover/<id>).

import { errorValue } from "../api.js";
import { el, errorsHtml, onDismiss, setHtml } from "../dom.js";
import { escapeHtml as esc, formatWib, t } from "../i18n.js";

const REFRESH_MS = 5000;
const SUPERVISING = ["supervisor", "admin"];

export function createShiftPanel({ store, api, person }) {
  const panel = el("shift-panel");
  const body = el("shift-body");
  const canSupervise = person.roles.some((r) => SUPERVISING.includes(r));
  const view = { current: null, error: null };
  panel.hidden = false;
  onDismiss(el("shift-errors"), store);

  function members(shift) {
    return shift.members.map((m) => esc(m.desk ? `${m.username}@${m.desk}` : m.username)).join(", ");
  }

  function render() {
    const lang = store.get().lang;
    setHtml(el("shift-errors"), errorsHtml(lang, store.get().errors, "shift"));
    const data = view.current;
    if (!data) { setHtml(body, ""); return; }
    const parts = [];
    const shift = data.shift;
    if (shift) {
      parts.push(`<p data-shift="${shift.id}"><strong>${esc(t(lang, "shiftName", { name: shift.name }))}</strong> `
        + `${esc(t(lang, "shiftOpenedBy", { at: formatWib(shift.opened_at), by: shift.opened_by }))}</p>`);
      parts.push(`<p class="members">${esc(t(lang, "onDuty"))}: <span id="shift-members">${members(shift)}</span></p>`);
      if (canSupervise) {
        parts.push(`<label><span>${esc(t(lang, "handoverNotes"))}</span> <textarea id="handover-notes" rows="3" maxlength="4000"></textarea></label>`
          + `<div class="shift-actions"><button type="button" id="shift-close">${esc(t(lang, "closeShift"))}</button></div>`);
      }
    } else {
      parts.push(`<p>${esc(t(lang, "noShift"))}</p>`);
      if (canSupervise) {
        parts.push(`<div class="shift-actions"><button type="button" id="shift-open">`
          + `${esc(t(lang, "openShift", { name: data.proposed.name }))}</button></div>`);
      }
    }
    const last = data.last_closed;
    if (last) {
      const state = last.acknowledged_at ? t(lang, "acknowledgedBy", { at: formatWib(last.acknowledged_at), by: last.acknowledged_by })
        : t(lang, "notAcknowledged");
      parts.push(`<p><a id="handover-link" href="/handover/${last.id}">${esc(t(lang, "viewHandover", { name: last.name }))}</a>`
        + `<br><span class="hint" id="handover-state">${esc(state)}</span></p>`);
    }
    // the notes being typed survive the periodic refresh
    const typing = el("handover-notes") ? el("handover-notes").value : "";
    setHtml(body, parts.join(""));
    if (el("handover-notes") && typing && !el("handover-notes").value) { el("handover-notes").value = typing; }
  }

  async function refresh() {
    try {
      view.current = await api.get("/shifts/current");
    } catch (error) {
      if (error.status === 401) { return; }
    }
    render();
  }

  body.addEventListener("click", async (event) => {
    const target = event.target.closest("button");
    if (!target) { return; }
    store.clearErrors();
    try {
      if (target.id === "shift-open") {
        await api.post("/shifts", {});
      } else if (target.id === "shift-close") {
        const closed = await api.post(`/shifts/${view.current.shift.id}/close`, { notes: el("handover-notes").value });
        window.location.assign(`/handover/${closed.shift.id}`);
        return;
      }
    } catch (error) {
      store.addError("shift", errorValue(error));
    }
    await refresh();
  });

  store.subscribe((state, keys) => { if (keys.has("lang") || keys.has("errors")) { render(); } });
  refresh();
  setInterval(refresh, REFRESH_MS);
}
