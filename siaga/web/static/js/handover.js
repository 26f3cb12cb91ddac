// The handover page of a shift: read it, print it, download it as one HTML file, and (the incoming
// supervisor) acknowledge it.

import { errorValue } from "./api.js";
import { errorText } from "./dom.js";
import { handoverDocument, handoverHtml } from "./handover_render.js";
import { el, pageLang, pageSession, wireLanguage } from "./page.js";
import { t } from "./i18n.js";

async function start() {
  const CFG = JSON.parse(document.body.dataset.config || "{}");
  const view = { data: null, error: null };
  const render = (lang) => {
    el("page-error").textContent = view.error ? errorText(lang, view.error) : "";
    el("handover").innerHTML = view.data ? handoverHtml(lang, view.data) : "";
  };
  wireLanguage(render);
  const session = await pageSession();
  if (!session) { el("page-error").textContent = t(pageLang(), "needLogin"); return; }
  const { api, person } = session;
  const load = async () => {
    try {
      view.data = await api.get(`/shifts/${CFG.shiftId}/handover`);
      view.error = null;
    } catch (error) {
      view.error = errorValue(error);
    }
    const supervising = person.roles.includes("supervisor") || person.roles.includes("admin");
    const shift = view.data && view.data.shift;
    const wroteIt = shift && shift.closed_by && shift.closed_by.split("@")[0] === person.username;
    el("acknowledge").hidden = !(supervising && shift && shift.closed_at && !shift.acknowledged_at && !wroteIt);
    render(pageLang());
  };
  el("print").addEventListener("click", () => window.print());
  el("download").addEventListener("click", () => {
    if (!view.data) { return; }
    const blob = new Blob([handoverDocument(pageLang(), view.data)], { type: "text/html" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `serah-terima-sif-${view.data.shift.id}.html`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  el("acknowledge").addEventListener("click", async () => {
    try {
      await api.post(`/shifts/${CFG.shiftId}/acknowledge`);
    } catch (error) {
      view.error = errorValue(error);
    }
    await load();
  });
  await load();
}

start();
